import ArborSchema
import Foundation
import XCTest

/// `arbor run --backend URL` and `arbor resume` as processes, against a real llama-server.
final class RemoteCommandTests: XCTestCase {
    static var arborBinary: String { LlamaCppTools.packageRoot.appendingPathComponent(".build/debug/arbor").path }

    struct Outcome {
        var status: Int32
        var output: String
        var errors: String
    }

    static func arbor(_ arguments: [String]) throws -> Outcome {
        guard FileManager.default.isExecutableFile(atPath: arborBinary) else {
            XCTFail("No arbor binary at \(arborBinary); build it with `swift build --build-tests` (make test does).")
            throw XCTSkip("arbor missing")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arborBinary)
        process.arguments = arguments
        process.currentDirectoryURL = LlamaCppTools.packageRoot
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        nonisolated(unsafe) var errors = Data()
        let reader = Thread { errors = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while reader.isExecuting || !reader.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        return Outcome(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                       errors: String(decoding: errors, as: UTF8.self))
    }

    func testArborRunWithBackendAnswersAndRecordsTheRun() throws {
        let server = try LlamaServerProcess()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("remote-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("runs.sqlite").path
        let run = try Self.arbor(["run", "Workflows/math-solver.yaml", "--backend", server.url, "--input",
                                  "problem=A train travels at 80 km/h for 2.5 hours. How far does it go?", "--max-tokens", "320", "--json", "--quiet",
                                  "--db", db])
        XCTAssertEqual(run.status, 0, run.errors)
        let json = try JSONValue(parsing: run.output)
        XCTAssertNotNil(json.objectValue?["output"]?.objectValue?["answer"]?.doubleValue, run.output)
        let runID = try XCTUnwrap(json.objectValue?["run_id"]?.stringValue)
        XCTAssertTrue(run.errors.contains("remote: "), run.errors)
        let inspect = try Self.arbor(["inspect", runID, "--db", db, "--json"])
        XCTAssertEqual(inspect.status, 0, inspect.errors)
        XCTAssertTrue(inspect.output.contains("llama-server"), "the run records its serving engine")
    }

    func testArborRunAgainstAServerThatIsDownSaysWhichAndWhatToDo() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("remote-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Self.arbor(["run", "Workflows/math-solver.yaml", "--backend", "http://127.0.0.1:9", "--input", "problem=2+2",
                                  "--quiet", "--db", folder.appendingPathComponent("runs.sqlite").path])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.errors.contains("http://127.0.0.1:9"), run.errors)
        XCTAssertTrue(run.errors.contains("arbor resume"), run.errors)
    }
}
