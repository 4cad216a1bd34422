import ArborModel
import ArborSchema
import Foundation
import XCTest

/// The durability promise, tested on the real binary: `arbor run` killed with SIGKILL at 20
/// random moments and resumed each time ends with the uninterrupted run's answer and tree,
/// and no tool call is made twice.
final class KillResumeTests: XCTestCase {
    private let problem = "problem=First compute 12 * 7. Then add 5 to that result. Then divide the sum by 3."

    private var binary: String { CLIFixtures.arborBinary }

    private func start(_ arguments: [String], log: String, stdout: Pipe, stderr: Pipe) throws -> Process {
        let process = CLIFixtures.arborProcess(arguments, environment: ["ARBOR_TEST_TOOL_LOG": log])
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        return process
    }

    /// Runs to the end and returns the `--json` report.
    private func finish(_ arguments: [String], log: String) throws -> JSONValue {
        let out = Pipe(), err = Pipe()
        let process = try start(arguments, log: log, stdout: out, stderr: err)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, errors)
        return try JSONValue(parsing: Array(data))
    }

    private func lines(_ path: String) -> Int {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    func testKilledTwentyTimesAndResumedGivesTheUninterruptedRun() throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            return XCTFail("No arbor binary at \(binary); build it with `swift build --build-tests` (make test does).")
        }
        try CLIFixtures.requireModel()
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let database = temporary.appendingPathComponent("runs.sqlite").path
        let referenceLog = temporary.appendingPathComponent("reference.log").path

        let referenceStart = Date()
        let reference = try finish(["run", "kill-test.yaml", "--input", problem, "--no-record", "--json", "--quiet"], log: referenceLog)
        let referenceSeconds = Date().timeIntervalSince(referenceStart)
        let referenceCalls = lines(referenceLog)
        XCTAssertGreaterThanOrEqual(referenceCalls, 1, "the greedy run calls its tool")

        // Kill moments between 0.3 s (still loading) and most of an uninterrupted run (deep in
        // decoding, a tool call or a commit). A resume copies the context back, so a run may
        // finish between kills: then it is checked and a new run takes the remaining kills.
        var random = Xoshiro256(seed: 20261123)
        var finishedRuns: [(id: String, log: String, report: JSONValue)] = []
        var runID: String?
        var log = temporary.appendingPathComponent("killed-0.log").path
        var kills = 0
        var attempts = 0
        while kills < 20 && attempts < 120 {
            attempts += 1
            let arguments = runID.map { ["resume", $0, "--db", database, "--json", "--quiet"] }
                ?? ["run", "kill-test.yaml", "--input", problem, "--db", database, "--json", "--quiet"]
            let out = Pipe(), err = Pipe()
            let process = try start(arguments, log: log, stdout: out, stderr: err)
            let window = max(1.0, 0.8 * referenceSeconds)
            usleep(useconds_t(300_000 + Double(random.next() % UInt64(window * 1_000_000))))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let stderrText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            if runID == nil, let match = stderrText.range(of: #"run r-[0-9a-z]+"#, options: .regularExpression) {
                runID = String(stderrText[match].dropFirst(4))
            }
            if process.terminationReason == .exit && process.terminationStatus == 0, let id = runID {
                finishedRuns.append((id, log, try JSONValue(parsing: Array(stdoutData))))
                runID = nil
                log = temporary.appendingPathComponent("killed-\(finishedRuns.count).log").path
            } else if let id = runID, stderrText.contains("already completed") {
                // The kill fell between the run's last commit and its report: the store has the
                // answer (the tree is compared for every run that printed its report).
                let details = try finish(["inspect", id, "--db", database, "--json"], log: log)
                XCTAssertEqual(details.objectValue?["status"], "completed", id)
                finishedRuns.append((id, log, ["output": details.objectValue?["output"] ?? .null]))
                runID = nil
                log = temporary.appendingPathComponent("killed-\(finishedRuns.count).log").path
            }
        }
        XCTAssertEqual(kills, 20)
        if let id = runID { finishedRuns.append((id, log, try finish(["resume", id, "--db", database, "--json", "--quiet"], log: log))) }
        XCTAssertFalse(finishedRuns.isEmpty, "a run printed its id before a kill")
        for run in finishedRuns {
            XCTAssertEqual(run.report.objectValue?["output"], reference.objectValue?["output"], run.id)
            if let tree = run.report.objectValue?["tree"] {
                XCTAssertEqual(tree.compactString, reference.objectValue?["tree"]?.compactString, run.id)
            }
            XCTAssertLessThanOrEqual(lines(run.log), referenceCalls + 1, "a call is repeated only if a kill fell inside it (\(run.id))")
        }
    }
}
