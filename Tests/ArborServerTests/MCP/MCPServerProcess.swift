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
    /// Workflows only the tests serve (Tests/ArborServerTests/Fixtures/Workflows).
    static var fixtureWorkflows: String { packageRoot.appendingPathComponent("Tests/ArborServerTests/Fixtures/Workflows").path }
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

    /// `paths`: the workflow files or folders served (default: the shipped Workflows folder).
    init(paths: [String] = [MCPServerProcess.workflows], arguments: [String] = []) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-mcp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        database = folder.appendingPathComponent("runs.sqlite").path
        process.executableURL = URL(fileURLWithPath: Self.arborBinary)
        process.arguments = ["mcp"] + paths + ["--db", database] + arguments
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

    /// Calls a tool and waits for its whole result (the SDK's `callTool` drops `structuredContent` and `_meta`).
    func call(_ name: String, _ arguments: [String: Value], progressToken: ProgressToken? = nil) async throws -> CallTool.Result {
        try await client.send(CallTool.request(.init(name: name, arguments: arguments,
                                                      meta: progressToken.map { Metadata(progressToken: $0) }))).value
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

    /// Runs `arbor ARGUMENTS` on this server's run database (`arbor runs`, `arbor inspect`) and
    /// returns its standard output; fails the test when it exits non-zero.
    func arbor(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try Self.arbor(arguments + ["--db", database], file: file, line: line)
    }

    static func arbor(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let command = Process()
        command.executableURL = URL(fileURLWithPath: arborBinary)
        command.arguments = arguments
        let output = Pipe(), errors = Pipe()
        command.standardOutput = output
        command.standardError = errors
        try command.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        command.waitUntilExit()
        XCTAssertEqual(command.terminationStatus, 0, "arbor \(arguments.joined(separator: " ")): \(problems)", file: file, line: line)
        return text
    }

    func stop() async {
        await client.disconnect()
        if process.isRunning { process.terminate() }
        _ = await waitForExit(seconds: 30)
        try? FileManager.default.removeItem(at: folder)
    }
}
