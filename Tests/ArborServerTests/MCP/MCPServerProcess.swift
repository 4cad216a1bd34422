import ArborModel
import Foundation
import MCP
import XCTest

/// `arbor mcp` started as a process on the shipped workflows, with a fresh run database,
/// and the Swift SDK's client connected to it over the process's standard input and output.
final class MCPServerProcess {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static var arborBinary: String { packageRoot.appendingPathComponent(".build/debug/arbor").path }
    static var workflows: String { packageRoot.appendingPathComponent("Workflows").path }
    static var modelPath: String {
        ProcessInfo.processInfo.environment["ARBOR_MODEL"] ?? packageRoot.appendingPathComponent(ModelLocator.defaultModelRelativePath).path
    }

    let process = Process()
    let folder: URL
    let database: String
    let client = Client(name: "arbor-tests", version: "1.0")
    private let toServer = Pipe()
    private let fromServer = Pipe()

    /// Fails (and skips) with what to do when the binary or the default model is missing.
    static func requireBinaryAndModel() throws {
        guard FileManager.default.isExecutableFile(atPath: arborBinary) else {
            XCTFail("No arbor binary at \(arborBinary); build it with `swift build --build-tests` (make test does).")
            throw XCTSkip("no binary")
        }
        guard FileManager.default.fileExists(atPath: modelPath) else {
            XCTFail("No model at \(modelPath); run `make setup` to fetch the default model, or set ARBOR_MODEL.")
            throw XCTSkip("model missing")
        }
    }

    init(arguments: [String] = []) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-mcp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        database = folder.appendingPathComponent("runs.sqlite").path
        process.executableURL = URL(fileURLWithPath: Self.arborBinary)
        process.arguments = ["mcp", Self.workflows, "--db", database] + arguments
        process.currentDirectoryURL = Self.packageRoot
        var environment = ProcessInfo.processInfo.environment
        environment["ARBOR_MODEL"] = Self.modelPath
        process.environment = environment
        process.standardInput = toServer
        process.standardOutput = fromServer
        // A file, not a pipe: nobody reads it while the server runs, and a full pipe would block it.
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("stderr").path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: folder.appendingPathComponent("stderr"))
    }

    /// Starts the server and connects the client.
    func start() async throws {
        try process.run()
        let transport = StdioTransport(input: .init(rawValue: fromServer.fileHandleForReading.fileDescriptor),
                                       output: .init(rawValue: toServer.fileHandleForWriting.fileDescriptor))
        _ = try await client.connect(transport: transport)
    }

    /// Writes raw bytes to the server's standard input, past the client.
    func writeRaw(_ text: String) {
        toServer.fileHandleForWriting.write(Data(text.utf8))
    }

    /// Closes the server's standard input, as a client that goes away does.
    func closeInput() throws {
        try toServer.fileHandleForWriting.close()
    }

    /// What the server wrote to standard error.
    var stderr: String {
        (try? String(contentsOf: folder.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
    }

    /// Waits up to `seconds` for the process to exit; true when it did.
    func waitForExit(seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(100)) }
        return !process.isRunning
    }

    func stop() async {
        await client.disconnect()
        if process.isRunning { process.terminate() }
        _ = await waitForExit(seconds: 30)
        try? FileManager.default.removeItem(at: folder)
    }
}
