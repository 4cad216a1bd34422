import ArborSchema
import ArborSpec
@testable import ArborTesting
import ArborTools
import XCTest

/// Record and replay against real tools: the built-in calculator and a command tool.
final class CassetteRecordReplayTests: XCTestCase {
    let tests = """
      - name: doubles
        inputs: {question: "6*7?"}
        expect:
          - {path: $.answer, equals: 42}
          - {tool: echo, called_with: {text: hi}}
          - {snapshot: true}
    """
    let calls: [(String, JSONValue)] = [("calculator", ["expression": "6*7"]), ("echo", ["text": "hi"])]

    private func loadCase(in folder: String) throws -> (TestCase, Workflow) {
        try write(Fixture.workflowText(tests: tests), to: folder + "/calc.yaml")
        let suite = TestSuiteLoader.loadSuite(workflowPath: folder + "/calc.yaml")
        XCTAssertEqual(suite.diagnostics, [])
        return (try XCTUnwrap(suite.cases.first), try XCTUnwrap(suite.workflow))
    }

    private let noLiveTools: TestRunner.LiveTools = { _ in
        XCTFail("replay must not build live tools")
        throw TestingError.executionFailed(testCase: "-", message: "live tools used in replay")
    }

    func testRecordWritesACassetteThatReplayServesWithoutLiveTools() async throws {
        let folder = try makeTemporaryFolder(self)
        let (testCase, workflow) = try loadCase(in: folder)

        let recording = TestRunner(executor: callingExecutor(calls), options: TestRunOptions(mode: .record))
        let recorded = await recording.run(testCase, workflow: workflow)
        XCTAssertEqual(recorded.status, .passed, recorded.errors.joined() + recorded.failures.map(\.message).joined())

        let cassette = try XCTUnwrap(try Cassette.load(path: folder + "/cassettes/calc/doubles.json"))
        XCTAssertEqual(cassette.workflow, "calc")
        XCTAssertEqual(cassette.testCase, "doubles")
        XCTAssertEqual(cassette.tools.map(\.name), ["calculator", "echo"])
        XCTAssertEqual(cassette.parameters(of: "echo")?["properties"]?["text"]?["type"], "string")
        XCTAssertEqual(cassette.interactions.map(\.tool), ["calculator", "echo"])
        XCTAssertEqual(cassette.output, ["answer": 42])
        XCTAssertEqual(cassette.interactions[0].response, .result(recorded.execution!.toolCalls[0].value!))
        XCTAssertEqual(cassette.interactions[1].response, .result(["echo": ["text": "hi"], "length": 2]))

        let replaying = TestRunner(executor: callingExecutor(calls), options: TestRunOptions(mode: .replay), liveTools: noLiveTools)
        let replayed = await replaying.run(testCase, workflow: workflow)
        XCTAssertEqual(replayed.status, .passed, replayed.errors.joined())
        XCTAssertEqual(replayed.execution?.output, recorded.execution?.output)
        XCTAssertEqual(replayed.execution?.toolCalls.map(\.modelJSON), recorded.execution?.toolCalls.map(\.modelJSON))
    }

    func testACallMissingFromTheCassetteFailsTheCaseNamingToolAndArguments() async throws {
        let folder = try makeTemporaryFolder(self)
        let (testCase, workflow) = try loadCase(in: folder)
        _ = await TestRunner(executor: callingExecutor(calls), options: TestRunOptions(mode: .record)).run(testCase, workflow: workflow)

        let changed = callingExecutor([("calculator", ["expression": "6*8"]), ("echo", ["text": "hi"])])
        let result = await TestRunner(executor: changed, liveTools: noLiveTools).run(testCase, workflow: workflow)
        XCTAssertEqual(result.status, .failed)
        XCTAssertEqual(result.errors.count, 1)
        XCTAssertTrue(result.errors[0].hasPrefix("Tool 'calculator' was called with {\"expression\":\"6*8\"}, and no fixture answers it; the cassette "
                                                 + folder + "/cassettes/calc/doubles.json has no such call."), result.errors[0])
        XCTAssertTrue(result.errors[0].contains("arbor test --record"))
        let seen = try XCTUnwrap(result.execution?.toolCalls.first)
        XCTAssertFalse(seen.isSuccess, "the model sees an error for the unanswered call")
    }

    func testAnOutputThatDiffersFromTheRecordedSnapshotFailsWithADiff() async throws {
        let folder = try makeTemporaryFolder(self)
        let (testCase, workflow) = try loadCase(in: folder)
        _ = await TestRunner(executor: callingExecutor(calls), options: TestRunOptions(mode: .record)).run(testCase, workflow: workflow)

        let different = ScriptedExecutor { _, _, tools in
            var calls: [ToolOutcome] = []
            for (tool, arguments) in [("calculator", ["expression": "6*7"] as JSONValue), ("echo", ["text": "hi"])] {
                calls.append(await tools.invoke(tool, arguments: arguments))
            }
            return CaseExecution(output: ["answer": 42.5], toolCalls: calls)
        }
        let result = await TestRunner(executor: different, liveTools: noLiveTools).run(testCase, workflow: workflow)
        XCTAssertEqual(result.status, .failed)
        XCTAssertEqual(result.failures.map(\.assertion.kind), [.equals(path: try JSONPath("$.answer"), value: 42, tolerance: 0), .snapshot])
        let snapshot = try XCTUnwrap(result.failures.last)
        XCTAssertTrue(snapshot.message.hasPrefix("The output differs from the snapshot recorded in \(testCase.cassettePath)"), snapshot.message)
        XCTAssertEqual(snapshot.diff, "  {\n-   \"answer\": 42\n+   \"answer\": 42.5\n  }")
    }

    func testWithoutACassetteReplaySaysSo() async throws {
        let folder = try makeTemporaryFolder(self)
        let (testCase, workflow) = try loadCase(in: folder)
        let result = await TestRunner(executor: callingExecutor(calls), liveTools: noLiveTools).run(testCase, workflow: workflow)
        XCTAssertEqual(result.status, .failed)
        XCTAssertEqual(result.errors.count, 2)
        XCTAssertTrue(result.failures.contains { $0.message.hasPrefix("No snapshot is recorded in") })
        XCTAssertTrue(result.errors[1].contains("there is no cassette (\(folder)/cassettes/calc/doubles.json)"), result.errors[1])
    }

    func testFixturesAnswerBeforeTheLiveToolsWhileRecording() async throws {
        let folder = try makeTemporaryFolder(self)
        try write(Fixture.workflowText(tests: """
          - name: fixed
            inputs: {question: "6*7?"}
            tools:
              echo:
                - arguments: {text: "h.*"}
                  match: pattern
                  result: {echo: fixture}
        """), to: folder + "/calc.yaml")
        let suite = TestSuiteLoader.loadSuite(workflowPath: folder + "/calc.yaml")
        let testCase = try XCTUnwrap(suite.cases.first), workflow = try XCTUnwrap(suite.workflow)
        let recorded = await TestRunner(executor: callingExecutor(calls), options: TestRunOptions(mode: .record)).run(testCase, workflow: workflow)
        XCTAssertEqual(recorded.execution?.toolCalls[1].value, ["echo": "fixture"])
        let cassette = try XCTUnwrap(try Cassette.load(path: testCase.cassettePath))
        XCTAssertEqual(cassette.interactions.map(\.tool), ["calculator"], "fixture answers are not recorded")

        let replayed = await TestRunner(executor: callingExecutor(calls), liveTools: noLiveTools).run(testCase, workflow: workflow)
        XCTAssertEqual(replayed.status, .passed, replayed.errors.joined())
    }

    func testRepeatedCallsReplayInRecordedOrderThenRepeatTheLast() async throws {
        let workflow = try XCTUnwrap(WorkflowLoader.load(text: Fixture.workflowText(tests: "  []")).0)
        let cassette = Cassette(workflow: "calc", testCase: "c", interactions: [
            .init(tool: "calculator", arguments: ["expression": "x"], response: .result(1)),
            .init(tool: "calculator", arguments: ["expression": "x"], response: .error("second")),
        ])
        let replay = try await ReplayingToolInvoker(workflow: workflow, fixtures: [], cassette: cassette, cassettePath: "c.json")
        var answers: [JSONValue] = []
        for _ in 0..<3 { answers.append(await replay.invoke("calculator", arguments: ["expression": "x"]).modelJSON) }
        XCTAssertEqual(answers, [1, ["error": "second"], ["error": "second"]], "a recorded error reads as recorded")
        let unanswered = await replay.unanswered
        XCTAssertEqual(unanswered, [])
    }

    func testServerImportedSchemasComeFromTheCassette() async throws {
        let fetch = Tool(name: "fetch", description: "Fetch a page.", parameters: .fromServer,
                         implementation: .mcp(MCPToolBinding(server: "web", tool: "fetch")))
        let workflow = Workflow(name: "web", instructions: try PromptTemplate("Go."), servers: [MCPServer(name: "web", transport: .http(url: "http://127.0.0.1:9/mcp", headers: []))],
                                tools: [fetch], outputSchema: ["type": "object"])
        let schema: JSONValue = ["type": "object", "properties": ["url": ["type": "string"]], "required": ["url"]]
        let cassette = Cassette(workflow: "web", testCase: "c", tools: [(name: "fetch", parameters: schema)])
        let replay = try await ReplayingToolInvoker(workflow: workflow, fixtures: [], cassette: cassette, cassettePath: "c.json")
        let schemas = await replay.parameterSchemas()
        XCTAssertEqual(schemas.map(\.name), ["fetch"])
        XCTAssertEqual(schemas.first?.schema, schema)

        do {
            _ = try await ReplayingToolInvoker(workflow: workflow, fixtures: [], cassette: nil, cassettePath: "c.json")
            XCTFail("a server schema with no cassette must fail")
        } catch {
            XCTAssertEqual(error, .missingServerSchema(tool: "fetch", cassette: "c.json"))
        }
    }

    func testCassetteJSONRoundTripsAndRejectsOtherFiles() throws {
        let cassette = Cassette(workflow: "w", testCase: "c", tools: [(name: "t", parameters: ["type": "object"])],
                                interactions: [.init(tool: "t", arguments: ["a": 1], response: .result(["r": [1, 2.5]])),
                                               .init(tool: "t", arguments: [:], response: .error("boom"))])
        XCTAssertEqual(try Cassette(json: try JSONValue(parsing: cassette.json.prettyString), path: "c.json"), cassette)
        XCTAssertThrowsError(try Cassette(json: ["interactions": []], path: "c.json")) { error in
            XCTAssertEqual((error as? TestingError)?.description,
                           "The cassette c.json is not valid at /arbor_cassette: expected format version 1. Re-record it with `arbor test --record`.")
        }
    }
}
