import ArborSchema
import Foundation
import XCTest

/// `arbor run --inputs-file cases.jsonl --jobs 4 --backend URL` against a real llama-server
/// with four slots: the runs decode at once, each is recorded, and the table lists them.
final class RemoteBatchTests: XCTestCase {
    func testFourRunsAtOnceAgainstOneServerAreEachRecordedAndListed() throws {
        let server = try LlamaServerProcess(slots: 4, contextSize: 4 * 2048)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("remote-batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let problems = ["A train travels at 80 km/h for 2.5 hours. How far does it go?", "What is 17 * 23?",
                        "A shop sells 12 apples a day. How many in a week?", "What is 1000 - 357?"]
        let cases = folder.appendingPathComponent("cases.jsonl")
        try problems.map { JSONValue.object(["problem": .string($0)]).compactString }.joined(separator: "\n")
            .write(to: cases, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("runs.sqlite").path
        let run = try RemoteCommandTests.arbor(["run", "Workflows/math-solver.yaml", "--backend", server.url, "--inputs-file", cases.path,
                                                "--jobs", "4", "--max-tokens", "160", "--db", db])
        XCTAssertEqual(run.status, 0, run.errors)
        // The table: a header, a rule, one row per line of the file in its order, then the totals.
        let rows = run.output.split(separator: "\n").filter { $0.hasPrefix("| ") }
        XCTAssertEqual(rows.count, 2 + problems.count, run.output)
        XCTAssertEqual(rows.first, "| line | run | status | answer / error | tokens | seconds |")
        var runIDs: [String] = []
        var runSeconds = 0.0
        for (index, row) in rows.dropFirst(2).enumerated() {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            XCTAssertEqual(cells[0], String(index + 1), String(row))
            XCTAssertEqual(cells[2], "completed", String(row))
            XCTAssertTrue(cells[3].contains("\"answer\""), String(row))
            XCTAssertGreaterThan(Int(cells[4]) ?? 0, 0, String(row))
            runIDs.append(cells[1])
            runSeconds += Double(cells[5]) ?? 0
        }
        XCTAssertTrue(run.output.contains("4 runs, 4 at once: 4 completed, 0 failed, 0 paused"), run.output)
        XCTAssertTrue(run.errors.contains("remote: "), "the server's use, summed: \(run.errors)")
        XCTAssertEqual(run.errors.components(separatedBy: "/4] run r-").count - 1, 4, "a line per finished run: \(run.errors)")
        XCTAssertEqual(Set(runIDs).count, 4)
        for id in runIDs {
            let inspect = try RemoteCommandTests.arbor(["inspect", id, "--db", db, "--json"])
            XCTAssertEqual(inspect.status, 0, inspect.errors)
            let recorded = try XCTUnwrap(try JSONValue(parsing: inspect.output).objectValue)
            XCTAssertEqual(recorded["status"], .string("completed"))
            XCTAssertTrue(inspect.output.contains("llama-server"), "each run records its serving engine, so it resumes against it")
        }
        // The runs overlapped: their own times add up to well over the batch's.
        let total = try XCTUnwrap(run.output.range(of: #"paused in [0-9.]+ s"#, options: .regularExpression).map {
            Double(run.output[$0].dropFirst("paused in ".count).dropLast(2))
        } ?? nil, run.output)
        XCTAssertGreaterThan(runSeconds, 1.5 * total, "the runs did not decode at once: \(run.output)")
    }
}
