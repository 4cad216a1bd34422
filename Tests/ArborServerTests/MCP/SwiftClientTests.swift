import ArborSchema
import ArborStore
import ArborTools
import Foundation
import MCP
import XCTest

/// `arbor mcp` driven by the MCP Swift SDK's own client over the process's standard input and
/// output: tools, schemas, a real call of a shipped workflow with the default model, and
/// what must not stop the server.
final class SwiftClientTests: XCTestCase {
    private var server: MCPServerProcess!

    override func setUp() async throws {
        try MCPServerProcess.requireBinaryAndModel()
        server = try MCPServerProcess()
        try await server.start()
    }

    override func tearDown() async throws {
        await server?.stop()
    }

    func testToolsListEveryWorkflowWithItsSchemasAndBadCallsLeaveTheServerRunning() async throws {
        let tools = try await server.client.listTools().tools
        XCTAssertEqual(tools.map(\.name), ["extract-invoice", "long-report", "math-solver", "research-agent", "research-local",
                                           "triage-issue", "arbor_run_status", "arbor_get_result"])
        let math = try XCTUnwrap(tools.first { $0.name == "math-solver" })
        XCTAssertEqual(math.inputSchema.objectValue?["required"], .array([.string("problem")]))
        XCTAssertEqual(math.outputSchema?.objectValue?["properties"]?.objectValue?["confidence"]?.objectValue?["enum"],
                       .array([.string("certain"), .string("likely"), .string("unsure")]))

        let bad = try await server.client.send(CallTool.request(.init(name: "math-solver", arguments: ["problem": .int(5)]))).value
        XCTAssertEqual(bad.isError, true)
        XCTAssertTrue(Self.text(bad).contains("problem"), Self.text(bad))

        do {
            _ = try await server.client.send(CallTool.request(.init(name: "no-such-workflow"))).value
            XCTFail("an unknown tool is an error")
        } catch let error as MCPError {
            XCTAssertTrue("\(error)".contains("no-such-workflow"), "\(error)")
        }

        // A line that is not JSON-RPC gets an error response; the server reads on.
        server.writeRaw("{this is not json\n")
        let again = try await server.client.listTools().tools
        XCTAssertEqual(again.count, tools.count)
        XCTAssertTrue(server.process.isRunning, server.stderr)
    }

    func testACallRunsTheWorkflowRecordsItAndReportsEachFinishedTask() async throws {
        let tools = try await server.client.listTools().tools
        let outputSchema = JSONValue(mcp: try XCTUnwrap(tools.first { $0.name == "math-solver" }?.outputSchema))
        let messages = ProgressMessages()
        await server.client.onNotification(ProgressNotification.self) { message in
            messages.append(message.params.message ?? "")
        }
        let result = try await server.client.send(CallTool.request(.init(
            name: "math-solver", arguments: ["problem": .string("What is 12 times 7?")],
            meta: Metadata(progressToken: .string("math"))))).value
        XCTAssertEqual(result.isError, false, Self.text(result))
        let answer = JSONValue(mcp: try XCTUnwrap(result.structuredContent))
        XCTAssertEqual(try SchemaDocument(compiling: outputSchema).validate(answer), [])
        XCTAssertEqual(try JSONValue(parsing: Self.text(result)), answer)

        let runID = try XCTUnwrap(result._meta?["arbor/run_id"]?.stringValue)
        let store = try RunStore.openExisting(path: server.database)
        let run = try XCTUnwrap(try store.run(id: runID))
        XCTAssertEqual(run.status, .completed)
        XCTAssertEqual(run.workflow, "math-solver")
        XCTAssertEqual(try JSONValue(parsing: try XCTUnwrap(run.outputJSON)), answer)
        let seen = messages.all
        XCTAssertTrue(seen.contains("run \(runID) started (`arbor inspect \(runID)` shows it)"), "\(seen)")
        XCTAssertTrue(seen.contains { $0.hasPrefix("task ") }, "\(seen)")
    }

    func testACancelledCallStopsItsRunPausedAndRecordedAndTheServerGoesOn() async throws {
        let messages = ProgressMessages()
        await server.client.onNotification(ProgressNotification.self) { message in
            messages.append(message.params.message ?? "")
        }
        let call = try await server.client.send(CallTool.request(.init(
            name: "long-report", arguments: ["topic": .string("Why long jobs need checkpoints")],
            meta: Metadata(progressToken: .string("long")))))
        let deadline = Date().addingTimeInterval(600)
        while !messages.all.contains(where: { $0.hasPrefix("task ") }), Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        let started = try XCTUnwrap(messages.all.first { $0.hasPrefix("run r-") }, "\(messages.all)")
        let runID = String(started.split(separator: " ")[1])
        // notifications/cancelled for the call; the SDK's client stops waiting for its answer.
        try await server.client.cancelRequest(call.requestID, reason: "the test has seen a finished task")
        let store = try RunStore.openExisting(path: server.database)
        let stopDeadline = Date().addingTimeInterval(60)
        while try store.run(id: runID)?.status == .running, Date() < stopDeadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        let run = try XCTUnwrap(try store.run(id: runID))
        XCTAssertEqual(run.status, .paused, server.stderr)
        XCTAssertGreaterThan(run.tokenCount, 0)

        // The server goes on: it answers where the run stands, and that it has no answer yet.
        let status = try await server.call("arbor_run_status", ["run_id": .string(runID)])
        XCTAssertEqual(status.structuredContent?.objectValue?["status"], .string("paused"))
        let answer = try await server.call("arbor_get_result", ["run_id": .string(runID)])
        XCTAssertEqual(answer.isError, true)
        XCTAssertTrue(Self.text(answer).contains("arbor resume \(runID)"), Self.text(answer))
        XCTAssertTrue(server.process.isRunning, server.stderr)

        // Recorded like `arbor run`: listed by `arbor runs`, shown by `arbor inspect`.
        let listed = try server.arbor(["runs"])
        XCTAssertTrue(listed.contains(runID) && listed.contains("paused"), listed)
        let shown = try server.arbor(["inspect", runID])
        XCTAssertTrue(shown.contains("long-report"), shown)
    }

    func testAClientThatGoesAwayMidRunLeavesTheRunPausedAndResumable() async throws {
        let messages = ProgressMessages()
        await server.client.onNotification(ProgressNotification.self) { message in
            messages.append(message.params.message ?? "")
        }
        _ = try await server.client.send(CallTool.request(.init(
            name: "long-report", arguments: ["topic": .string("Why long jobs need checkpoints")],
            meta: Metadata(progressToken: .integer(7)))))
        let deadline = Date().addingTimeInterval(600)
        while !messages.all.contains(where: { $0.hasPrefix("task ") }), Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        let started = try XCTUnwrap(messages.all.first { $0.hasPrefix("run r-") }, "\(messages.all)")
        let runID = String(started.split(separator: " ")[1])
        try server.closeInput()
        let exited = await server.waitForExit(seconds: 120)
        XCTAssertTrue(exited, "the server ends when its client goes away: \(server.stderr)")
        let run = try XCTUnwrap(try RunStore.openExisting(path: server.database).run(id: runID))
        XCTAssertEqual(run.status, .paused, server.stderr)
        XCTAssertGreaterThan(run.tokenCount, 0)
    }

    static func text(_ result: CallTool.Result) -> String {
        result.content.compactMap { if case .text(let text, _, _) = $0 { return text } else { return nil } }.joined(separator: "\n")
    }
}

/// Progress messages as they arrive, from the client's notification task.
final class ProgressMessages: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    func append(_ message: String) {
        lock.lock(); messages.append(message); lock.unlock()
    }

    var all: [String] {
        lock.lock(); defer { lock.unlock() }
        return messages
    }
}
