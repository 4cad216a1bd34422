import ArborModel
import ArborSchema
import Foundation
import XCTest

/// The durability promise, tested on the real binary: `arbor run` killed with SIGKILL at 20
/// random moments and resumed each time ends with the uninterrupted run's answer and tree,
/// and no tool call is made twice.
final class KillResumeTests: XCTestCase {
    private let problem = "problem=First compute 12 * 7. Then add 5 to that result. Then divide the sum by 3."

    private var binary: String {
        // `swift build --build-tests` puts the CLI beside the test bundle in .build/debug.
        RuntimeFixtures.packageRoot.appendingPathComponent(".build/debug/arbor").path
    }

    private func start(_ arguments: [String], log: String, stdout: Pipe, stderr: Pipe) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = RuntimeFixtures.folder
        var environment = ProcessInfo.processInfo.environment
        environment["ARBOR_MODEL"] = RuntimeFixtures.modelPath
        environment["ARBOR_TEST_TOOL_LOG"] = log
        process.environment = environment
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
        _ = try RuntimeFixtures.loadModel()
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let database = temporary.appendingPathComponent("runs.sqlite").path
        let referenceLog = temporary.appendingPathComponent("reference.log").path
        let killedLog = temporary.appendingPathComponent("killed.log").path

        let reference = try finish(["run", "kill-test.yaml", "--input", problem, "--no-record", "--json", "--quiet"], log: referenceLog)
        let referenceCalls = lines(referenceLog)
        XCTAssertGreaterThanOrEqual(referenceCalls, 1, "the greedy run calls its tool")

        var random = Xoshiro256(seed: 20261123)
        var runID: String?
        var kills = 0
        var attempts = 0
        while kills < 20 && attempts < 60 {
            attempts += 1
            let arguments = runID.map { ["resume", $0, "--db", database, "--json", "--quiet"] }
                ?? ["run", "kill-test.yaml", "--input", problem, "--db", database, "--json", "--quiet"]
            let out = Pipe(), err = Pipe()
            let process = try start(arguments, log: killedLog, stdout: out, stderr: err)
            // Between 0.3 s (still loading) and 4 s (deep in decoding or a tool call).
            usleep(useconds_t(300_000 + Double(random.next() % 3_700_000)))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            let stderrText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            if runID == nil, let match = stderrText.range(of: #"run r-[0-9a-z]+"#, options: .regularExpression) {
                runID = String(stderrText[match].dropFirst(4))
            }
            if process.terminationReason == .exit && process.terminationStatus == 0 { break }
        }
        XCTAssertEqual(kills, 20)
        let id = try XCTUnwrap(runID, "the first run printed its id before a kill")
        let resumed = try finish(["resume", id, "--db", database, "--json", "--quiet"], log: killedLog)
        XCTAssertEqual(resumed.objectValue?["output"], reference.objectValue?["output"])
        XCTAssertEqual(resumed.objectValue?["tree"]?.compactString, reference.objectValue?["tree"]?.compactString)
        XCTAssertLessThanOrEqual(lines(killedLog), referenceCalls + 1, "a call is repeated only if a kill fell inside it")
    }
}
