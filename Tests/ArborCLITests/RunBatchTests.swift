import ArborSchema
import Foundation
import XCTest

/// `arbor run SPEC --inputs-file cases.jsonl --jobs N` in-process, on the real binary with a
/// real SQLite file: the inputs file's checks and concurrent runs on one loaded model.
final class RunBatchTests: XCTestCase {
    private func sandbox() throws -> URL {
        guard FileManager.default.isExecutableFile(atPath: CLIFixtures.arborBinary) else {
            XCTFail("No arbor binary at \(CLIFixtures.arborBinary); build it with `swift build --build-tests` (make test does).")
            throw XCTSkip("no binary")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }

    private func arbor(_ arguments: [String], in folder: URL) throws -> CLIFixtures.Outcome {
        try CLIFixtures.finish(CLIFixtures.arborProcess(arguments), writingInto: folder)
    }

    func testBadLinesAreReportedWithFileAndLineBeforeAnyRunStarts() throws {
        let folder = try sandbox()
        let cases = folder.appendingPathComponent("cases.jsonl")
        try """
            {"question": "How many legs has a spider?"}

            {"question": "two", "qestion": "typo"}
            ["not", "an", "object"]
              {"question": tru}
            {"question": 3}
            """.write(to: cases, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("runs.sqlite").path
        let run = try arbor(["run", "token-limit.yaml", "--inputs-file", cases.path, "--jobs", "2", "--db", db], in: folder)
        XCTAssertEqual(run.status, 1, run.stderr)
        let path = cases.path
        XCTAssertTrue(run.stderr.contains("\(path):3:1: error: `qestion` is not an input of the workflow `token-limit` (did you mean `question`?)"), run.stderr)
        XCTAssertTrue(run.stderr.contains("\(path):4:1: error: the line is JSON but not an object of inputs"), run.stderr)
        XCTAssertTrue(run.stderr.contains("\(path):5:16: error: not JSON: invalid literal"), run.stderr)
        XCTAssertTrue(run.stderr.contains("\(path):6:1: error: input question: expected string, got integer"), run.stderr)
        XCTAssertFalse(run.stderr.contains("\(path):1:"), "line 1 is a good case: \(run.stderr)")
        XCTAssertTrue(run.stderr.contains("4 problem(s) in \(path); no run was started"), run.stderr)
        let runs = try arbor(["runs", "--db", db, "--json"], in: folder)
        XCTAssertNotEqual(runs.stdout.trimmingCharacters(in: .whitespacesAndNewlines).first, "{", "no run was recorded")
        XCTAssertFalse(runs.stdout.contains("\"id\""), runs.stdout)
    }

    func testJobsNeedAJSONLinesFile() throws {
        let folder = try sandbox()
        let run = try arbor(["run", "token-limit.yaml", "--input", "question=1+1", "--jobs", "2"], in: folder)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("--jobs needs many runs"), run.stderr)
    }

    func testTwoRunsAtOnceInProcessShareTheModelAndEachIsRecorded() throws {
        try CLIFixtures.requireModel()
        let folder = try sandbox()
        let cases = folder.appendingPathComponent("cases.jsonl")
        let line = #"{"question": "How many legs do three spiders and two cats have together?"}"#
        try "\(line)\n\(line)\n".write(to: cases, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("runs.sqlite").path
        let run = try arbor(["run", "token-limit.yaml", "--inputs-file", cases.path, "--jobs", "2", "--temp", "0",
                             "--max-tokens", "64", "--db", db, "--json"], in: folder)
        XCTAssertEqual(run.status, 0, run.stderr)
        let summary = try XCTUnwrap(try JSONValue(parsing: Array(run.stdout.utf8)).objectValue, run.stdout)
        let runs = try XCTUnwrap(summary["runs"]?.arrayValue)
        XCTAssertEqual(runs.map { $0.objectValue?["line"] }, [.integer(1), .integer(2)])
        XCTAssertEqual(runs.map { $0.objectValue?["status"] }, [.string("completed"), .string("completed")], run.stderr)
        // Greedy runs of the same inputs decoded side by side on one model must not disturb
        // each other: same answer, same tree size.
        XCTAssertEqual(runs[0].objectValue?["output"], runs[1].objectValue?["output"])
        XCTAssertEqual(runs[0].objectValue?["tree_tokens"], runs[1].objectValue?["tree_tokens"])
        XCTAssertTrue(run.stderr.contains("[2/2] run r-"), "a line per finished run: \(run.stderr)")
        for entry in runs {
            let id = try XCTUnwrap(entry.objectValue?["run_id"]?.stringValue)
            let inspect = try arbor(["inspect", id, "--db", db, "--json"], in: folder)
            XCTAssertEqual(inspect.status, 0, inspect.stderr)
            let recorded = try XCTUnwrap(try JSONValue(parsing: Array(inspect.stdout.utf8)).objectValue)
            XCTAssertEqual(recorded["status"], .string("completed"))
        }
    }
}
