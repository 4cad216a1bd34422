import ArborStore
import ArborWeb
import Foundation
import XCTest

/// A real `WebServer` on 127.0.0.1 (a free port) over a real SQLite file in a temporary folder,
/// stopped when the test ends.
final class ServedDatabase {
    let folder: URL
    let path: String
    let port: Int
    private let task: Task<Void, any Error>

    /// Starts the server and returns once it listens. Synchronous on purpose: the tests' HTTP
    /// client blocks on its socket, which must not happen on the threads the server's tasks need.
    init(_ testCase: XCTestCase, host: String = "127.0.0.1", token: String? = nil, workflows: [String] = [], arbor: String? = nil,
         prepare: (String) throws -> Void = { _ in }) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("runs.sqlite").path
        try prepare(path)
        let server = try WebServer(configuration: .init(databasePath: path, host: host, port: 0, token: token,
                                                        workflowPaths: workflows, arborExecutable: arbor))
        let listening = DispatchSemaphore(value: 0)
        let boundPort = LockedPort()
        let task = Task { try await server.run { port in boundPort.set(port); listening.signal() } }
        self.task = task
        guard listening.wait(timeout: .now() + 60) == .success else {
            task.cancel()
            throw XCTSkip("the server did not start within 60 s")
        }
        port = boundPort.value
        let folder = self.folder
        testCase.addTeardownBlock {
            task.cancel()
            let stopped = DispatchSemaphore(value: 0)
            Task { _ = await task.result; stopped.signal() }
            _ = stopped.wait(timeout: .now() + 30)
            try? FileManager.default.removeItem(at: folder)
        }
    }

    func get(_ path: String, headers: [String: String] = [:]) throws -> RawHTTPClient.Response {
        try RawHTTPClient.get(port: port, path, headers: headers)
    }

    func post(_ path: String, _ body: String? = nil, headers: [String: String] = [:]) throws -> RawHTTPClient.Response {
        try RawHTTPClient.post(port: port, path, body: body, headers: headers)
    }
}

private final class LockedPort: @unchecked Sendable {
    private let lock = NSLock()
    private var port = 0
    var value: Int { lock.withLock { port } }
    func set(_ value: Int) { lock.withLock { port = value } }
}

let sampleSHA = String(repeating: "ab", count: 32)

func sampleRun(id: String, workflow: String = "triage") -> Run {
    Run(id: id, workflow: workflow, specText: "name: \(workflow)\n", specSHA256: sampleSHA, inputsJSON: #"{"ticket":"disk full"}"#,
        modelPath: "/models/m.gguf", modelSHA256: sampleSHA, samplingJSON: #"{"temperature":0}"#)
}

/// Appends `count` text events to the run, each in its own commit (as a recorder does).
func appendTextEvents(_ store: RunStore, runID: String, count: Int) throws {
    for index in 0..<count {
        try store.checkpoint { tx in
            try tx.appendEvent(runID: runID, kind: .text, payload: .object([
                "round": .integer(0), "path": .string("0"), "kind": .string("generated"), "text": .string("t\(index) \"é\"\n"),
                "firstSeq": .integer(index), "tokens": .integer(1),
            ]))
        }
    }
}
