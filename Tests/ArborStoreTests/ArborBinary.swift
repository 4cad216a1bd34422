import Foundation
import XCTest

/// The `arbor` executable that SwiftPM builds beside this test bundle (`swift build
/// --build-tests` and `make test` build it), run as a separate process.
enum ArborBinary {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

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

    /// Runs `arbor arguments…` with `environment` added to this process's (minus `ARBOR_DB`,
    /// and with HOME and XDG_DATA_HOME pointing into `sandbox`, so that no test can reach the
    /// user's real database); stdout and stderr go through files, so any size is safe.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], sandbox: URL, directory: URL? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> Outcome {
        let executable = productsDirectory.appendingPathComponent("arbor")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            XCTFail("\(executable.path) is missing: build it with `swift build --build-tests` (make test does).", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        var processEnvironment = ProcessInfo.processInfo.environment
        processEnvironment["ARBOR_DB"] = nil
        processEnvironment["HOME"] = sandbox.appendingPathComponent("home").path
        processEnvironment["XDG_DATA_HOME"] = sandbox.appendingPathComponent("xdg").path
        processEnvironment.merge(environment) { _, new in new }

        let stdoutURL = sandbox.appendingPathComponent("stdout-\(UUID().uuidString)")
        let stderrURL = sandbox.appendingPathComponent("stderr-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: stdoutURL.path, contents: nil),
              FileManager.default.createFile(atPath: stderrURL.path, contents: nil) else {
            XCTFail("cannot create the output files in \(sandbox.path)", file: file, line: line)
            throw CocoaError(.fileWriteUnknown)
        }
        let stdout = try FileHandle(forWritingTo: stdoutURL)
        let stderr = try FileHandle(forWritingTo: stderrURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = processEnvironment
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        process.waitUntilExit()
        try stdout.close()
        try stderr.close()
        defer {
            try? FileManager.default.removeItem(at: stdoutURL)
            try? FileManager.default.removeItem(at: stderrURL)
        }
        return Outcome(
            status: process.terminationReason == .exit ? process.terminationStatus : -process.terminationStatus,
            stdout: try String(contentsOf: stdoutURL, encoding: .utf8),
            stderr: try String(contentsOf: stderrURL, encoding: .utf8))
    }
}
