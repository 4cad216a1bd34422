import ArborGrammar
import ArborModel
@testable import ArborRuntime
import ArborSchema
import ArborSpec
import ArborTools
import XCTest

/// `model.tree_syntax: steps`: the model types numbered prose steps with inline calls, the
/// runtime calls the tools at `=`, and the run is the same reasoning tree.
final class StepsSyntaxTests: XCTestCase {
    static let workflowText = """
        arbor: 1
        name: steps-calc
        model:
          tree_syntax: steps
        inputs:
          problem: str
        instructions: "Solve this problem. {{problem}}"
        tools:
          - name: calculator
            builtin: calculator
          - name: unit_convert
            builtin: unit_convert
        output:
          answer: float
        limits:
          max_breadth: 4
          max_tool_calls: 4
          max_tokens: 160
          max_text_length: 160
        """

    static func workflow() throws -> Workflow {
        let (workflow, diagnostics) = WorkflowLoader.load(text: workflowText)
        return try XCTUnwrap(workflow, diagnostics.map(\.description).joined(separator: "\n"))
    }

    func testStepsTextBecomesTheReasoningTree() throws {
        let calls = [ToolOutcome(tool: "calculator", arguments: ["expression": "3*12"], result: .success(["result": 36, "exact": true]), duration: .zero),
                     ToolOutcome(tool: "calculator", arguments: ["expression": "36+5"], result: .success(["result": 41, "exact": true]), duration: .zero),
                     ToolOutcome(tool: "calculator", arguments: ["expression": "41*2"], result: .success(["result": 82, "exact": true]), duration: .zero)]
        let text = "Step 1: The boxes hold <<3*12=36>> eggs.\nStep 2: Plus five is <<36+5=41>>, doubled <<41*2=82>>.\nAnswer: 82"
        let document = StepsDocument(text: text, toolCalls: calls, answerMember: "answer")
        XCTAssertEqual(document.steps.count, 2)
        let expected = try JSONValue(parsing: Array("""
            {"reasoning":[
              {"thought":"The boxes hold <<3*12=36>> eggs.",
               "tooluse":{"tool_name":"calculator","parameters":{"expression":"3*12"},"tool_result":{"result":36,"exact":true}},
               "conclusion":"36"},
              {"thought":"Plus five is <<36+5=41>>, doubled <<41*2=82>>.",
               "subtasks":[
                 {"thought":"{\\"expression\\":\\"36+5\\"}","tooluse":{"tool_name":"calculator","parameters":{"expression":"36+5"},"tool_result":{"result":41,"exact":true}},"conclusion":"41"},
                 {"thought":"{\\"expression\\":\\"41*2\\"}","tooluse":{"tool_name":"calculator","parameters":{"expression":"41*2"},"tool_result":{"result":82,"exact":true}},"conclusion":"82"}],
               "conclusion":"82"}],
             "answer":{"answer":82}}
            """.utf8))
        XCTAssertEqual(document.document, expected)
    }

    func testPendingCallIsReadForInlineAndPositionalTools() throws {
        let spec = try ReasoningTreeSpec(workflow: try Self.workflow())
        let inline = StepsDocument.pendingCall(in: "Step 1: cost <<8*7+2*5=", spec: spec)
        XCTAssertEqual(inline?.tool, "calculator")
        XCTAssertEqual(inline?.arguments, ["expression": "8*7+2*5"])
        let positional = StepsDocument.pendingCall(in: "Step 1: in km <<unit_convert(6, \"mi\", \"km\")=", spec: spec)
        XCTAssertEqual(positional?.tool, "unit_convert")
        XCTAssertEqual(positional?.arguments, ["value": 6, "from_unit": "mi", "to_unit": "km"] as JSONValue)
        XCTAssertEqual(StepsDocument.resultValue(of: ToolOutcome(tool: "calculator", arguments: [:], result: .success(["result": .number(1.0 / 3), "exact": true]), duration: .zero)),
                       .number(0.333333))
    }

    /// The model is steered into a calculator call; the runtime calls the real calculator at
    /// `=`, writes the result, and the model finishes the steps and the answer under the grammar.
    func testStepsRunCallsTheToolAtTheEqualsSignAndAnswers() async throws {
        let model = try RuntimeFixtures.loadModel()
        let workflow = try Self.workflow()
        let transformer = try Transformer(file: model.file, threads: 2, contextSlots: 1024)
        let runner = WorkflowRunner(workflow: workflow, model: transformer, tokenizer: model.tokenizer, chatTemplate: model.template,
                                    tools: try await ToolBox(workflow: workflow))
        let steer = RuntimeFixtures.forcedPrefix("Step 1: The pens cost <<8*7=", tokenizer: model.tokenizer)
        let report = try await runner.run(inputs: ["problem": "Tom buys 8 pens at $7 each. How much does he pay?"], resuming: steer)
        XCTAssertEqual(report.toolCalls.first?.tool, "calculator")
        XCTAssertEqual(report.toolCalls.first?.arguments, ["expression": "8*7"])
        XCTAssertEqual(report.toolCalls.first?.value?["result"], 56)
        XCTAssertNotNil(report.output.objectValue?["answer"]?.doubleValue, report.output.compactString)
        let first = try XCTUnwrap(report.document.objectValue?["reasoning"]?.arrayValue?.first?.objectValue)
        XCTAssertTrue(first["thought"]?.stringValue?.hasPrefix("The pens cost <<8*7=56>>") == true, first["thought"]?.compactString ?? "")
        XCTAssertEqual(first["tooluse"]?.objectValue?["tool_name"], "calculator")
        XCTAssertEqual(report.tasks.first?.path, NodePath([0]))
        XCTAssertEqual(report.metrics.toolCalls, report.toolCalls.count)
        XCTAssertGreaterThan(report.metrics.generatedTokens, 0)
    }

    func testStepsSyntaxRefusesSummaryRoundsAndFixedSteps() {
        let text = Self.workflowText.replacingOccurrences(of: "  max_tokens: 160", with: "  max_tokens: 160\n  round_budget: 100")
        let (_, diagnostics) = WorkflowLoader.load(text: text)
        XCTAssertTrue(diagnostics.contains { $0.message.contains("tree_syntax: steps") && $0.message.contains("round_budget") },
                      diagnostics.map(\.description).joined(separator: "\n"))
    }
}
