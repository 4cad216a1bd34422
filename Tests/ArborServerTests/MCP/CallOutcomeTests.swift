import ArborSchema
import ArborStore
import ArborTools
import Foundation
import MCP
import XCTest

/// Calls that do not end with the model's own answer, and calls that must share the one
/// model, through the Swift SDK's client: a run closed at its token limit (an `isError` result
/// that still carries a schema-valid answer), a tool server that cannot start (an `isError`
/// result, the run recorded as failed), and two calls at once (the second hears its place in
/// the queue). The server is `arbor mcp` on math-solver and a fixture workflow, with
/// `--max-tokens 64` so that every run reaches its limit in seconds.
final class CallOutcomeTests: XCTestCase {
    private var server: MCPServerProcess!

    override func setUp() async throws {
        try MCPServerProcess.requireBinaryAndModel()
        server = try MCPServerProcess(paths: [MCPServerProcess.workflows + "/math-solver.yaml",
                                              MCPServerProcess.fixtureWorkflows + "/broken-tool.yaml"],
                                      arguments: ["--max-tokens", "64"])
        try await server.start()
    }

    override func tearDown() async throws {
        await server?.stop()
    }

    func testASecondCallWaitsItsTurnAndARunAtItsTokenLimitIsAnErrorWithAValidAnswer() async throws {
        let tools = try await server.client.listTools().tools
        let schema = try SchemaDocument(compiling: JSONValue(mcp: try XCTUnwrap(tools.first { $0.name == "math-solver" }?.outputSchema)))
        let first = ProgressMessages(), second = ProgressMessages()
        await server.client.onNotification(ProgressNotification.self) { message in
            switch message.params.progressToken {
            case .string("first"): first.append(message.params.message ?? "")
            case .string("second"): second.append(message.params.message ?? "")
            default: XCTFail("progress for a token nobody sent: \(message.params)")
            }
        }
        let firstCall = try await server.client.send(CallTool.request(.init(
            name: "math-solver", arguments: ["problem": .string("What is 12 times 7?")], meta: Metadata(progressToken: .string("first")))))
        let deadline = Date().addingTimeInterval(120)
        while !first.all.contains(where: { $0.hasPrefix("run r-") }), Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        let secondCall = try await server.client.send(CallTool.request(.init(
            name: "math-solver", arguments: ["problem": .string("What is 9 plus 4?")], meta: Metadata(progressToken: .string("second")))))
        let results = [try await firstCall.value, try await secondCall.value]

        XCTAssertEqual(second.all.first, "queued: 1 call ahead of this one", "\(second.all)")
        XCTAssertTrue(second.all.dropFirst().first?.hasPrefix("run r-") ?? false, "\(second.all)")
        let store = try RunStore.openExisting(path: server.database)
        let listed = try server.arbor(["runs"])
        for result in results {
            XCTAssertEqual(result.isError, true, SwiftClientTests.text(result))
            guard case .text(let warning, _, _) = result.content.first, case .text(let json, _, _) = result.content.last else {
                return XCTFail("a warning and the answer as text: \(result.content)")
            }
            XCTAssertTrue(warning.contains("token limit (64 tokens a round)"), warning)
            let answer = JSONValue(mcp: try XCTUnwrap(result.structuredContent))
            XCTAssertEqual(schema.validate(answer), [])
            XCTAssertEqual(try JSONValue(parsing: json), answer)
            let runID = try XCTUnwrap(result._meta?["arbor/run_id"]?.stringValue)
            let run = try XCTUnwrap(try store.run(id: runID))
            XCTAssertEqual(run.status, .completed)
            XCTAssertTrue(run.closedAtTokenLimit)
            XCTAssertTrue(listed.contains(runID), listed)
        }
    }

    func testAToolServerThatCannotStartIsAnErrorResultAndAFailedRunOnRecord() async throws {
        let result = try await server.call("broken-tool", ["question": .string("Where is the server?")])
        XCTAssertEqual(result.isError, true)
        let message = SwiftClientTests.text(result)
        XCTAssertTrue(message.contains("ended in an error") && message.contains("/nonexistent/arbor-test-mcp-server"), message)
        let runID = try XCTUnwrap(result._meta?["arbor/run_id"]?.stringValue)
        XCTAssertTrue(message.contains("arbor inspect \(runID)"), message)

        let run = try XCTUnwrap(try RunStore.openExisting(path: server.database).run(id: runID))
        XCTAssertEqual(run.status, .failed)
        XCTAssertTrue(run.errorText?.contains("cannot start") ?? false, run.errorText ?? "no error recorded")
        let listed = try server.arbor(["runs"])
        XCTAssertTrue(listed.contains(runID) && listed.contains("failed"), listed)
        let shown = try server.arbor(["inspect", runID])
        XCTAssertTrue(shown.contains("broken-tool") && shown.contains("cannot start"), shown)

        let status = try await server.call("arbor_run_status", ["run_id": .string(runID)])
        XCTAssertEqual(status.structuredContent?.objectValue?["status"], .string("failed"))
        XCTAssertTrue(server.process.isRunning, server.stderr)
    }
}
