import Foundation
import XCTest

/// `arbor serve` as a process, following a run that a separate `arbor run` process writes into
/// the same SQLite file: the server only sees the file.
final class ServeCommandTests: XCTestCase {
    private let question = "question=How many legs do three spiders and two cats have together?"

    /// `arbor serve --port 0` on a fresh database; returns the process and its base URL.
    static func startServer(database: String, testCase: XCTestCase, extra: [String] = []) throws -> (Process, String) {
        guard FileManager.default.isExecutableFile(atPath: CLIFixtures.arborBinary) else {
            XCTFail("No arbor binary at \(CLIFixtures.arborBinary); build it with `swift build --build-tests` (make test does).")
            throw XCTSkip("no binary")
        }
        let server = CLIFixtures.arborProcess(["serve", "--db", database, "--port", "0"] + extra)
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        try server.run()
        testCase.addTeardownBlock { server.terminate(); server.waitUntilExit() }
        var printed = ""
        let deadline = Date().addingTimeInterval(60)
        while !printed.contains("\n"), Date() < deadline {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            printed += String(decoding: data, as: UTF8.self)
        }
        let match = try XCTUnwrap(printed.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression), "arbor serve printed: \(printed)")
        return (server, String(printed[match]))
    }

    /// `curl` for one request (the tests need nothing beyond what the machine has).
    static func curl(_ url: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", url]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func testARunWrittenByAnotherProcessAppearsAndItsEventsArriveWhileItRuns() throws {
        try CLIFixtures.requireModel()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("runs.sqlite").path
        let (_, base) = try Self.startServer(database: database, testCase: self)
        XCTAssertEqual(try Self.curl(base + "/api/runs"), "[]\n", "an empty database (created by the server)")

        let run = CLIFixtures.arborProcess(["run", "token-limit.yaml", "--input", question, "--db", database, "--quiet"])
        run.standardOutput = FileHandle.nullDevice
        run.standardError = FileHandle.nullDevice
        try run.run()
        addTeardownBlock { if run.isRunning { run.terminate() } }

        // the list shows the run once `arbor run` has committed it
        var runID: String?
        let deadline = Date().addingTimeInterval(120)
        while runID == nil, Date() < deadline {
            let list = try JSONSerialization.jsonObject(with: Data(try Self.curl(base + "/api/runs").utf8)) as? [[String: Any]]
            runID = list?.first?["id"] as? String
            if runID == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        let id = try XCTUnwrap(runID, "the run never appeared")

        // follow its events with curl -N, noting which arrived while the run was still going
        let stream = Process()
        stream.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        stream.arguments = ["-sN", base + "/api/runs/\(id)/events"]
        let out = Pipe()
        stream.standardOutput = out
        try stream.run()
        addTeardownBlock { stream.terminate() }
        var text = ""
        var kindsWhileRunning: [String] = []
        while !text.contains(#""kind":"finished""#), Date() < deadline {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            let stillRunning = run.isRunning
            text += String(decoding: data, as: UTF8.self)
            if stillRunning {
                kindsWhileRunning = text.split(separator: "\n").compactMap { line in
                    line.range(of: #""kind":"[a-zA-Z]+""#, options: .regularExpression).map { String(line[$0].dropFirst(8).dropLast()) }
                }
            }
        }
        stream.terminate()
        run.waitUntilExit()
        XCTAssertEqual(run.terminationStatus, 0)
        XCTAssertTrue(text.contains(#""kind":"finished""#), "the stream ends with the run's answer")
        let ids = text.split(separator: "\n").compactMap { $0.hasPrefix("id: ") ? Int($0.dropFirst(4)) : nil }
        XCTAssertEqual(ids, Array(1...(ids.last ?? 0)), "every event once, in order")
        XCTAssertTrue(kindsWhileRunning.contains("nodeOpened"), "the tree grew while the run was running: \(kindsWhileRunning)")
        XCTAssertTrue(kindsWhileRunning.contains("text"), "text arrived while the run was running")
        XCTAssertGreaterThan(kindsWhileRunning.filter { $0 == "checkpoint" }.count, 1, "several commits seen live")
    }
}
