import ArborSchema
import Foundation
import XCTest

/// `arbor run --max-tokens` / `--minimum-tokens` and `arbor fork --round`, on the real binary
/// with a real SQLite file.
final class RunCommandTests: XCTestCase {
    private let question = "question=How many legs do three spiders and two cats have together?"

    private var binary: String { CLIFixtures.arborBinary }

    private func arbor(_ arguments: [String]) throws -> CLIFixtures.Outcome {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-cli-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try CLIFixtures.finish(CLIFixtures.arborProcess(arguments), writingInto: folder)
    }

    private func database() throws -> String {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            XCTFail("No arbor binary at \(binary); build it with `swift build --build-tests` (make test does).")
            throw XCTSkip("no binary")
        }
        try CLIFixtures.requireModel()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder.appendingPathComponent("runs.sqlite").path
    }

    func testARunClosedAtItsTokenLimitWarnsAndInspectShowsIt() throws {
        let db = try database()
        let run = try arbor(["run", "token-limit.yaml", "--input", question, "--max-tokens", "64", "--db", db, "--json", "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("warning: the run reached its token limit"), run.stderr)
        XCTAssertEqual(run.json?.objectValue?["closed_at_token_limit"], .bool(true))
        XCTAssertNotNil(run.json?.objectValue?["output"]?.objectValue?["result"])
        let id = try XCTUnwrap(run.runID, run.stderr)
        let text = try arbor(["inspect", id, "--db", db])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("closed at the token limit"), text.stdout)
        let json = try XCTUnwrap(try arbor(["inspect", id, "--db", db, "--json"]).json?.objectValue)
        XCTAssertEqual(json["closedAtTokenLimit"], .bool(true))
        XCTAssertEqual(json["status"], .string("completed"))
    }

    func testMinimumTokensNeedsSummaryRoundsAndStaysWithTheRunThroughAForkInALaterRound() throws {
        let db = try database()
        let refused = try arbor(["run", "token-limit.yaml", "--input", question, "--minimum-tokens", "120", "--db", db])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("round_budget"), refused.stderr)
        XCTAssertNil(refused.runID, "nothing is recorded for a refused run")

        let run = try arbor(["run", "rounds.yaml", "--input", question, "--minimum-tokens", "120", "--db", db, "--json", "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.json?.objectValue?["closed_at_token_limit"], .bool(false))
        let id = try XCTUnwrap(run.runID, run.stderr)
        let inspected = try XCTUnwrap(try arbor(["inspect", id, "--db", db, "--json"]).json?.objectValue)
        XCTAssertEqual(inspected["sampling"]?.objectValue?["minimumTokens"], .integer(120), "recorded with the run")
        guard case .array(let rounds)? = inspected["rounds"], case .array(let nodes)? = inspected["tree"] else {
            return XCTFail("inspect --json has no rounds or tree")
        }
        XCTAssertGreaterThanOrEqual(rounds.count, 2, "the open-ended first round cannot answer")
        let laterRound = nodes.compactMap { node -> Int64? in
            guard node.objectValue?["path"] == .string("0"), case .integer(let round)? = node.objectValue?["round"], round > 0 else { return nil }
            return round
        }.max()
        let round = try XCTUnwrap(laterRound, "a later round has a first task")

        let fork = try arbor(["fork", id, "--at", "0", "--round", "\(round)", "--db", db, "--json", "--quiet"])
        XCTAssertEqual(fork.status, 0, fork.stderr)
        XCTAssertTrue(fork.stderr.contains("of round \(round)"), fork.stderr)
        XCTAssertTrue(fork.stderr.contains("at least 120 tree tokens before answering"), "the fork keeps --minimum-tokens: \(fork.stderr)")
        XCTAssertEqual(fork.json?.objectValue?["output"], run.json?.objectValue?["output"],
                       "with the same greedy settings the fork goes on as the run did")
        XCTAssertEqual(fork.json?.objectValue?["tree"]?.compactString, run.json?.objectValue?["tree"]?.compactString)
        let forkID = try XCTUnwrap(fork.stderr.range(of: #"run r-[0-9a-z]+: forked"#, options: .regularExpression)
            .map { String(fork.stderr[$0].dropFirst(4).dropLast(8)) })
        let forkText = try arbor(["inspect", forkID, "--db", db])
        XCTAssertTrue(forkText.stdout.contains("from \(id) at task 0 of round \(round)"), forkText.stdout)

        let missing = try arbor(["fork", id, "--at", "0", "--round", "9", "--db", db])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("no finished task 0 in round 9"), missing.stderr)
    }
}

private extension CLIFixtures.Outcome {
    var json: JSONValue? { try? JSONValue(parsing: Array(stdout.utf8)) }
    /// The id `arbor run` prints first (`run r-…`).
    var runID: String? {
        guard let match = stderr.range(of: #"run r-[0-9a-z]+"#, options: .regularExpression) else { return nil }
        return String(stderr[match].dropFirst(4))
    }
}
