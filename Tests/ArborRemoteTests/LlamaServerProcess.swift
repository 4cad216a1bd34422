import ArborRemote
import ArborSchema
import Foundation
import XCTest

/// A llama-server child process on 127.0.0.1 serving the default model, stopped in `deinit`.
final class LlamaServerProcess {
    let port: Int
    let process = Process()
    var url: String { "http://127.0.0.1:\(port)" }

    /// Starts llama-server (`slots` parallel sequences) and waits until it answers `/health`.
    init(port: Int? = nil, slots: Int = 1, contextSize: Int = 8192, file: StaticString = #filePath, line: UInt = #line) throws {
        let binary = try LlamaCppTools.binary("llama-server", file: file, line: line)
        let model = try LlamaCppTools.defaultModelPath(file: file, line: line)
        self.port = port ?? Int.random(in: 20_000..<40_000)
        process.executableURL = URL(fileURLWithPath: binary)
        // 2 threads and a unified KV cache, as the greedy references were made with.
        process.arguments = ["-m", model, "--host", "127.0.0.1", "--port", String(self.port), "-c", String(contextSize),
                             "-np", String(slots), "-t", "2"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let health = ServerConnection(baseURL: url, retry: .init(attempts: 1, firstDelay: 0, timeout: 5))
        let deadline = Date().addingTimeInterval(180)
        while Date() < deadline {
            if let reply = try? health.get("/health"), reply.objectValue?["status"]?.stringValue == "ok" { return }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.3)
        }
        stop()
        XCTFail("llama-server did not come up on port \(self.port)", file: file, line: line)
        throw XCTSkip("llama-server did not start")
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }
}
