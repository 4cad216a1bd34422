import ArborModel
import Foundation
import XCTest

/// The `arbor` binary run as a process on the runtime's workflow fixtures, with the default model.
enum CLIFixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The workflows the runtime's tests decode; the CLI runs the same files.
    static let folder = packageRoot.appendingPathComponent("Tests/ArborRuntimeTests/Fixtures")

    static var modelPath: String {
        ProcessInfo.processInfo.environment["ARBOR_MODEL"] ?? packageRoot.appendingPathComponent(ModelLocator.defaultModelRelativePath).path
    }

    /// Where SwiftPM puts the products beside this test bundle.
    static var productsDirectory: URL {
        #if os(macOS)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL
        #else
        return Bundle.main.bundleURL
        #endif
    }

    /// The `arbor` executable `swift build --build-tests` puts beside the test bundle.
    static var arborBinary: String { productsDirectory.appendingPathComponent("arbor").path }

    /// The `arbor` binary with `arguments`, set to run in the fixtures folder with the default
    /// model (and `environment` added); the caller connects its streams and starts it.
    static func arborProcess(_ arguments: [String], environment extra: [String: String] = [:]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arborBinary)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["ARBOR_MODEL"] = modelPath
        environment.merge(extra) { _, new in new }
        process.environment = environment
        return process
    }

    /// Fails with how to get the default model when it is missing.
    static func requireModel() throws {
        guard FileManager.default.fileExists(atPath: modelPath) else {
            XCTFail("No model at \(modelPath); run `make setup` to fetch the default model, or set ARBOR_MODEL.")
            throw XCTSkip("model missing")
        }
    }

    /// How a finished `arbor` process ended and what it wrote.
    struct Outcome {
        /// The exit status, or the negated signal number when a signal ended it.
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `process` to its end with stdout and stderr going through files in `folder`, so
    /// that any size is safe and neither pipe can fill up while the other is read.
    static func finish(_ process: Process, writingInto folder: URL) throws -> Outcome {
        let stdoutURL = folder.appendingPathComponent("stdout-\(UUID().uuidString)")
        let stderrURL = folder.appendingPathComponent("stderr-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: stdoutURL.path, contents: nil),
              FileManager.default.createFile(atPath: stderrURL.path, contents: nil) else {
            XCTFail("cannot create the output files in \(folder.path)")
            throw CocoaError(.fileWriteUnknown)
        }
        defer {
            try? FileManager.default.removeItem(at: stdoutURL)
            try? FileManager.default.removeItem(at: stderrURL)
        }
        let stdout = try FileHandle(forWritingTo: stdoutURL)
        let stderr = try FileHandle(forWritingTo: stderrURL)
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        process.waitUntilExit()
        try stdout.close()
        try stderr.close()
        return Outcome(
            status: process.terminationReason == .exit ? process.terminationStatus : -process.terminationStatus,
            stdout: try String(contentsOf: stdoutURL, encoding: .utf8),
            stderr: try String(contentsOf: stderrURL, encoding: .utf8))
    }

    /// Runs `arbor arguments…` with `environment` added to this process's (minus `ARBOR_DB`,
    /// and with HOME and XDG_DATA_HOME pointing into `sandbox`, so that no test can reach the
    /// user's real database).
    static func run(
        _ arguments: [String], environment: [String: String] = [:], sandbox: URL, directory: URL? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> Outcome {
        guard FileManager.default.isExecutableFile(atPath: arborBinary) else {
            XCTFail("\(arborBinary) is missing: build it with `swift build --build-tests` (make test does).", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        var processEnvironment = ProcessInfo.processInfo.environment
        processEnvironment["ARBOR_DB"] = nil
        processEnvironment["HOME"] = sandbox.appendingPathComponent("home").path
        processEnvironment["XDG_DATA_HOME"] = sandbox.appendingPathComponent("xdg").path
        processEnvironment.merge(environment) { _, new in new }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arborBinary)
        process.arguments = arguments
        process.environment = processEnvironment
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = FileHandle.nullDevice
        return try finish(process, writingInto: sandbox)
    }
}
