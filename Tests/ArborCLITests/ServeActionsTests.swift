import Foundation
import XCTest

/// `arbor serve`'s actions on real `arbor` processes and a real SQLite file: a stop asked of
/// the server reaches a run that `arbor run` decodes in another process, resume continues it
/// from its record (its KV count going on from the recorded slots), fork starts a new run after
/// a task, and several processes opening one brand-new database at once all succeed.
final class ServeActionsTests: XCTestCase {
    private let problem = "problem=First compute 12 * 7. Then add 5 to that result. Then divide the sum by 3."

    private func freshFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-actions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }

    /// `curl` for one request; returns the HTTP status and the body.
    static func request(_ method: String, _ url: String, body: String? = nil) throws -> (status: Int, body: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-X", method, "-w", "\n%{http_code}", url] + (body.map { ["-H", "Content-Type: application/json", "-d", $0] } ?? [])
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let split = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(split.last ?? "") ?? 0, split.dropLast().joined(separator: "\n"))
    }

    /// The run as `GET /api/runs/{id}` has it (the snapshot's `run`).
    static func run(_ base: String, _ id: String) throws -> [String: Any] {
        let snapshot = try JSONSerialization.jsonObject(with: Data(try ServeCommandTests.curl(base + "/api/runs/\(id)").utf8)) as? [String: Any]
        return snapshot?["run"] as? [String: Any] ?? [:]
    }

    /// The run's events so far (the stream read for a second), as (kind, data) in order.
    static func events(_ base: String, _ id: String) throws -> [(kind: String, data: [String: Any])] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sN", "--max-time", "1", base + "/api/runs/\(id)/events"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("data: "),
                  let event = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any],
                  let kind = event["kind"] as? String else { return nil }
            return (kind, event["data"] as? [String: Any] ?? [:])
        }
    }

    /// Polls `condition` every 50 ms until it holds or `seconds` pass.
    static func wait(_ seconds: Double, _ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTFail("timed out after \(seconds) s waiting for \(what)")
        throw XCTSkip("timed out")
    }

    func testAStopAskedOfTheServerPausesARunInAnotherProcessAndResumeGoesOnFromItsRecordedSlots() throws {
        try CLIFixtures.requireModel()
        let folder = try freshFolder()
        let database = folder.appendingPathComponent("runs.sqlite").path
        let (_, base) = try ServeCommandTests.startServer(database: database, testCase: self)
        let log = folder.appendingPathComponent("run.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let workflow = CLIFixtures.packageRoot.appendingPathComponent("Workflows/math-solver.yaml").path
        let terminal = CLIFixtures.arborProcess(["run", workflow, "--input", problem, "--db", database, "--quiet"])
        terminal.standardOutput = FileHandle.nullDevice
        terminal.standardError = try FileHandle(forWritingTo: log)
        try terminal.run()
        addTeardownBlock { if terminal.isRunning { terminal.terminate() } }

        var id = ""
        try Self.wait(120, "the run's id") {
            id = (try String(contentsOf: log, encoding: .utf8)).split(separator: "\n").first { $0.hasPrefix("run ") }.map { String($0.dropFirst(4)) } ?? ""
            return !id.isEmpty
        }
        // let the tree start: the prompt is committed first, then tree tokens
        var prompt = 0
        try Self.wait(180, "the prompt's commit") { prompt = try Self.run(base, id)["progress"].flatMap { ($0 as? [String: Any])?["tokens"] as? Int } ?? 0; return prompt > 0 }
        try Self.wait(180, "tree tokens") { (try Self.run(base, id)["progress"].flatMap { ($0 as? [String: Any])?["tokens"] as? Int } ?? 0) > prompt + 8 }

        let stop = try Self.request("POST", base + "/api/runs/\(id)/stop")
        XCTAssertEqual(stop.status, 202, stop.body)
        terminal.waitUntilExit()
        let said = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(terminal.terminationStatus, 130, "arbor run stopped as on SIGINT: \(said)")
        XCTAssertTrue(said.contains("arbor resume \(id)"), said)
        XCTAssertEqual(try Self.run(base, id)["status"] as? String, "paused")
        XCTAssertEqual(try Self.request("POST", base + "/api/runs/\(id)/stop").status, 409, "a paused run has nothing to stop")
        let beforeResume = try Self.events(base, id).last { $0.kind == "checkpoint" }?.data
        let slotsAtPause = try XCTUnwrap(beforeResume?["kvSlots"] as? Int)

        let resume = try Self.request("POST", base + "/api/runs/\(id)/resume")
        XCTAssertEqual(resume.status, 202, resume.body)
        XCTAssertEqual(try Self.request("POST", base + "/api/runs/\(id)/resume").status, 409, "it runs again: not resumable twice")
        try Self.wait(240, "the resumed run's answer") { try Self.run(base, id)["status"] as? String == "completed" }
        XCTAssertNotNil(try Self.run(base, id)["output"] as? [String: Any], "the answer")

        let events = try Self.events(base, id)
        let resumedAt = try XCTUnwrap(events.firstIndex { $0.kind == "resumed" })
        let firstAfter = try XCTUnwrap(events[resumedAt...].first { $0.kind == "checkpoint" }?.data)
        XCTAssertGreaterThanOrEqual(firstAfter["kvSlots"] as? Int ?? 0, slotsAtPause,
                                    "the KV count goes on from the \(slotsAtPause) recorded slots instead of starting again: \(firstAfter)")
        XCTAssertGreaterThan(firstAfter["tokens"] as? Int ?? 0, beforeResume?["tokens"] as? Int ?? 0)
        print("arbor serve: stop reached a run in another process; resumed from \(slotsAtPause) KV slots to \(firstAfter["kvSlots"] ?? "?")")

        // fork after its first task: a new run (a child `arbor fork`) that decodes on to its own answer
        let fork = try Self.request("POST", base + "/api/runs/\(id)/fork", body: #"{"at": "0"}"#)
        XCTAssertEqual(fork.status, 201, fork.body)
        let forkedID = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(fork.body.utf8)) as? [String: Any])?["run"] as? String)
        XCTAssertNotEqual(forkedID, id)
        try Self.wait(240, "the fork's answer") { try Self.run(base, forkedID)["status"] as? String == "completed" }
        XCTAssertEqual((try Self.run(base, forkedID)["forkedFrom"] as? [String: Any])?["runID"] as? String, id)
    }

    /// `arbor serve` and three `arbor run`s started together on a database that does not exist
    /// yet: each run is created (the migrations race and the late ones retry), the server lists them.
    func testServeAndRunsOpeningABrandNewDatabaseTogetherAllSucceed() throws {
        try CLIFixtures.requireModel()
        let folder = try freshFolder()
        for attempt in 0..<3 {
            let database = folder.appendingPathComponent("race-\(attempt).sqlite").path
            var runs: [(Process, URL)] = []
            for index in 0..<3 {
                let log = folder.appendingPathComponent("race-\(attempt)-\(index).log")
                _ = FileManager.default.createFile(atPath: log.path, contents: nil)
                let run = CLIFixtures.arborProcess(["run", "token-limit.yaml", "--input", "question=How many legs do 3 spiders have?",
                                                    "--db", database, "--quiet"])
                run.standardOutput = FileHandle.nullDevice
                run.standardError = try FileHandle(forWritingTo: log)
                runs.append((run, log))
            }
            for (run, _) in runs { try run.run() }
            let (server, base) = try ServeCommandTests.startServer(database: database, testCase: self)
            defer { for (run, _) in runs where run.isRunning { kill(run.processIdentifier, SIGKILL) } }
            for (run, log) in runs {
                try Self.wait(120, "each run to be recorded") {
                    let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                    if !run.isRunning && !text.contains("\nrun ") && !text.hasPrefix("run ") {
                        XCTFail("attempt \(attempt): arbor run failed opening the new database: \(text)")
                        return true
                    }
                    return text.hasPrefix("run ") || text.contains("\nrun ")
                }
            }
            XCTAssertTrue(server.isRunning)
            let listed = try JSONSerialization.jsonObject(with: Data(try ServeCommandTests.curl(base + "/api/runs").utf8)) as? [[String: Any]]
            XCTAssertEqual(listed?.count, 3, "attempt \(attempt): the server lists the three runs")
            server.terminate()
        }
    }
}
