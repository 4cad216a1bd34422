import ArborGrammar
import ArborSchema
import ArborSpec
import Foundation
import XCTest

@testable import ArborRuntime

final class ReasoningTreeSpecWorkflowTests: XCTestCase {
    private var workflowsFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Workflows")
    }

    func testEveryShippedWorkflowCompilesToATreeGrammar() throws {
        let files = try FileManager.default.contentsOfDirectory(at: workflowsFolder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }
        XCTAssertGreaterThanOrEqual(files.count, 4)
        for file in files {
            let workflow = try WorkflowLoader.loadValid(path: file.path)
            let spec = try ReasoningTreeSpec(workflow: workflow)
            XCTAssertEqual(spec.tools.map(\.name), workflow.tools.map(\.name), file.lastPathComponent)
            let gbnf = try TreeGrammarBuilder.grammar(for: spec).grammar.gbnf
            XCTAssertTrue(gbnf.contains("root ::="), file.lastPathComponent)
            for tool in workflow.tools {
                XCTAssertTrue(gbnf.contains("\\\"\(tool.name)\\\""), "\(file.lastPathComponent): no tool_name \(tool.name)")
            }
        }
    }

    func testWorkflowLimitsAndStepsReachTheSpec() throws {
        let yaml = """
            arbor: 1
            name: steps
            instructions: Plan, then answer.
            tools:
              - name: calculator
                builtin: calculator
              - name: clock
                builtin: datetime
            output: {answer: str}
            limits: {max_depth: 2, max_breadth: 3, max_tool_calls: 4}
            steps:
              - {name: plan, goal: Make a plan., tools: []}
              - {name: compute, goal: Compute., tools: [calculator]}
              - {name: answer, goal: Answer.}
            """
        let (loaded, diagnostics) = WorkflowLoader.load(text: yaml, file: "steps.yaml")
        let workflow = try XCTUnwrap(loaded, "\(diagnostics)")
        let spec = try ReasoningTreeSpec(workflow: workflow, isSummaryRound: true)
        XCTAssertEqual(spec.maxDepth, 2)
        XCTAssertEqual(spec.maxBreadth, 3)
        XCTAssertEqual(spec.maxToolCalls, 4)
        XCTAssertTrue(spec.isSummaryRound)
        XCTAssertEqual(spec.steps.map(\.allowedTools), [[], ["calculator"], ["calculator", "clock"]],
                       "a step without `tools` allows every tool")
    }

    func testServerToolsWithoutParametersGetThePermissiveSchemaUnlessSupplied() throws {
        let yaml = """
            arbor: 1
            name: mcp
            instructions: Fetch.
            servers:
              fetcher: {url: "http://127.0.0.1:8931/mcp"}
            tools:
              - name: fetch
                description: Fetch a page.
                mcp: {server: fetcher, tool: fetch}
            output: {answer: str}
            """
        let (loaded, diagnostics) = WorkflowLoader.load(text: yaml, file: "mcp.yaml")
        let workflow = try XCTUnwrap(loaded, "\(diagnostics)")
        let permissive = try ReasoningTreeSpec(workflow: workflow)
        XCTAssertTrue(permissive.tools[0].parameters.isValid(["anything": 1]))
        let listed: JSONValue = ["type": "object", "properties": ["url": ["type": "string"]], "required": ["url"]]
        let fromServer = try ReasoningTreeSpec(workflow: workflow, serverTools: ["fetch": listed])
        XCTAssertFalse(fromServer.tools[0].parameters.isValid(["anything": 1]))
        XCTAssertTrue(fromServer.tools[0].parameters.isValid(["url": "http://127.0.0.1/"]))
    }
}
