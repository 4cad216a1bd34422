import ArborRemote
import ArborSchema
import ArborTestSupport
import Foundation
import XCTest

/// A llama-server child process on 127.0.0.1 serving the default model, stopped in `deinit`.
final class LlamaServerProcess {
    let port: Int
    /// Micro-batches of one token: the server computes a prompt as it decodes, token by token,
    /// with the numbers Arbor's kernels give (its batched kernels sum in another order).
    static let oneTokenBatches = ["-ub", "1"]
    let process = Process()
    var url: String { "http://127.0.0.1:\(port)" }

    /// Starts llama-server (`slots` parallel sequences, `extraArguments` added) and waits
    /// until it answers `/health`.
    init(port: Int? = nil, slots: Int = 1, contextSize: Int = 8192, extraArguments: [String] = [],
         file: StaticString = #filePath, line: UInt = #line) throws {
        let binary = try LlamaCppTools.binary("llama-server", file: file, line: line)
        let model = try ModelFiles.defaultModelPath(file: file, line: line)
        self.port = port ?? Int.random(in: 20_000..<40_000)
        process.executableURL = URL(fileURLWithPath: binary)
        // One thread that sleeps when idle: on a shared 2-core machine, OpenMP threads spinning
        // for each other made generation 50× slower. llama.cpp splits its kernels by rows, so
        // the thread count does not change its numbers.
        process.arguments = ["-m", model, "--host", "127.0.0.1", "--port", String(self.port), "-c", String(contextSize),
                             "-np", String(slots), "-t", "1"] + extraArguments
        var environment = ProcessInfo.processInfo.environment
        environment["OMP_WAIT_POLICY"] = "PASSIVE"
        process.environment = environment
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

    /// SIGTERM, then SIGKILL after 3 s: llama-server's graceful shutdown can wait forever.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        kill()
    }

    deinit { stop() }
}
