import ArborStore
import Foundation
import XCTest

/// `arbor mcp --http` against what a misbehaving client does, byte for byte over a bare
/// socket: a body that is not JSON, an unknown tool, and a client that hangs up while its
/// call runs. The server must go on answering, the dropped call's run must go on being
/// recorded, and SIGTERM must leave it paused.
final class StreamableHTTPServerTests: XCTestCase {
    private var folder: URL!
    private var process: Process!

    override func setUp() async throws {
        try MCPServerProcess.requireBinaryAndModel()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-mcp-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        if let process, process.isRunning { process.terminate(); process.waitUntilExit() }
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    private var database: String { folder.appendingPathComponent("runs.sqlite").path }
    private var stderr: String { (try? String(contentsOf: folder.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }

    /// Starts `arbor mcp --http --port 0` and returns the port it printed.
    private func startServer() async throws -> Int {
        process = Process()
        process.executableURL = URL(fileURLWithPath: MCPServerProcess.arborBinary)
        process.arguments = ["mcp", MCPServerProcess.workflows, "--db", database, "--http", "--port", "0"]
        var environment = ProcessInfo.processInfo.environment
        environment["ARBOR_MODEL"] = MCPServerProcess.modelPath
        process.environment = environment
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("stderr").path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: folder.appendingPathComponent("stderr"))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning {
            if let range = stderr.range(of: #"http://127\.0\.0\.1:[0-9]+/mcp"#, options: .regularExpression) {
                return Int(stderr[range].dropFirst("http://127.0.0.1:".count).dropLast("/mcp".count))!
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw RawHTTPExchange.Failure(description: "the HTTP server printed no address: \(stderr)")
    }

    /// Sends one JSON-RPC request and reads its streamed answer.
    private func request(_ port: Int, id: Int, _ method: String, _ params: String, session: String?) throws -> RawHTTPExchange {
        let exchange = try RawHTTPExchange(port: port, body: #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":\#(params)}"#,
                                           session: session)
        try exchange.read(until: { $0.contains(#""id":\#(id)"#) || $0.contains(#""id":"\#(id)""#) }, seconds: 60)
        return exchange
    }

    func testBadMessagesAndAClientThatHangsUpMidRunLeaveTheServerRunningAndTheRunRecorded() async throws {
        let port = try await startServer()
        let initialize = try request(port, id: 1, "initialize", #"{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}"#,
                                     session: nil)
        let session = try XCTUnwrap(initialize.header("Mcp-Session-Id"), initialize.text)
        let initialized = try RawHTTPExchange(port: port, body: #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#, session: session)
        try initialized.read(until: { _ in initialized.statusCode != nil }, seconds: 30)
        XCTAssertEqual(initialized.statusCode, 202, initialized.text)

        // A body that is not JSON: a 400 with a parse error, in the session and outside one.
        for session in [session, nil] {
            let malformed = try RawHTTPExchange(port: port, body: "{this is not json", session: session)
            try malformed.readWholeResponse(seconds: 30)
            XCTAssertEqual(malformed.statusCode, 400, malformed.text)
            XCTAssertTrue(malformed.text.contains("-32700"), malformed.text)
        }
        // An unknown tool: a JSON-RPC error naming it.
        let unknown = try request(port, id: 2, "tools/call", #"{"name":"no-such-workflow","arguments":{}}"#, session: session)
        XCTAssertTrue(unknown.text.contains(#""error""#) && unknown.text.contains("no-such-workflow"), unknown.text)

        // A long call whose client hangs up once its run has started. Progress comes on the
        // session's GET stream: the SDK sends every notification there.
        let events = try RawHTTPExchange(port: port, body: nil, session: session)
        let call = try RawHTTPExchange(port: port, body: #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"long-report","arguments":{"topic":"Why long jobs need checkpoints"},"_meta":{"progressToken":"long"}}}"#,
                                       session: session)
        let started = try events.read(until: { $0.range(of: #"run r-[a-z0-9]+ started"#, options: .regularExpression) != nil }, seconds: 120)
        let runID = String(started[started.range(of: #"r-[a-z0-9]+ started"#, options: .regularExpression)!].split(separator: " ")[0])
        call.hangUp()
        events.hangUp()

        // The server still answers, in the same session, and the run goes on being recorded.
        let listed = try request(port, id: 4, "tools/list", "{}", session: session)
        XCTAssertTrue(listed.text.contains("math-solver") && listed.text.contains("arbor_run_status"), listed.text)
        let store = try RunStore.openExisting(path: database)
        let deadline = Date().addingTimeInterval(300)
        while (try store.run(id: runID)?.tokenCount ?? 0) == 0, Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        let running = try XCTUnwrap(try store.run(id: runID))
        XCTAssertEqual(running.status, .running, stderr)
        XCTAssertGreaterThan(running.tokenCount, 0, "the run goes on after its client hung up")
        XCTAssertTrue(process.isRunning, stderr)

        // SIGTERM stops the run between two tokens, committed and paused.
        process.terminate()
        let exitDeadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < exitDeadline { try await Task.sleep(for: .milliseconds(100)) }
        XCTAssertFalse(process.isRunning, "SIGTERM ends the server: \(stderr)")
        let stopped = try XCTUnwrap(try store.run(id: runID))
        XCTAssertEqual(stopped.status, .paused, stderr)
        XCTAssertGreaterThanOrEqual(stopped.tokenCount, running.tokenCount)
        let shown = try MCPServerProcess.arbor(["inspect", runID, "--db", database])
        XCTAssertTrue(shown.contains("long-report") && shown.contains("paused"), shown)
    }
}
