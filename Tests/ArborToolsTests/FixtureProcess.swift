import Foundation
import XCTest

/// Where this target's fixtures are, found from this file's path.
enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Fails the test with the setup hint when the Python MCP packages are missing.
    static func requirePythonModule(_ module: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import \(module)"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            XCTFail("python3 cannot import \(module); run `make setup` (scripts/setup.sh installs mcp-server-time).")
            throw XCTSkip("missing \(module)")
        }
    }
}

/// A python3 fixture server on 127.0.0.1: started with its script, it prints its port on
/// stdout and serves until its stdin closes; `stop()` closes stdin and waits for the exit.
final class FixtureServer {
    let process = Process()
    private let stdin = Pipe()
    let port: Int

    init(script: String, arguments: [String] = []) throws {
        let stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixtures.path(script)] + arguments
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        var line = Data()
        while let byte = try stdout.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw NSError(domain: "FixtureServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(script) printed no port"])
        }
        self.port = port
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }

    deinit { stop() }
}

/// Whether a process with `pid` still exists (signal 0 probes without signalling).
func processExists(_ pid: Int32) -> Bool {
    kill(pid, 0) == 0
}
