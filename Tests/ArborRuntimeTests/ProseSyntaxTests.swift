import ArborGrammar
import ArborModel
@testable import ArborRuntime
import ArborSchema
import ArborSpec
import ArborStore
import ArborTools
import Foundation
import XCTest

/// `model.tree_syntax: prose`: the model writes as in plain chat, the calculator answers a
/// calculation's `=`, and the run is the same reasoning tree, recorded and resumable.
final class ProseSyntaxTests: XCTestCase {
    static let workflowText = """
        arbor: 1
        name: prose-calc
        model:
          tree_syntax: prose
        inputs:
          problem: str
        instructions: "Solve this problem. {{problem}}"
        tools:
          - name: calculator
            builtin: calculator
        output:
          answer: float
        limits:
          max_tool_calls: 4
          max_tokens: 120
        """

    static func workflow() throws -> Workflow {
        let (workflow, diagnostics) = WorkflowLoader.load(text: workflowText)
        return try XCTUnwrap(workflow, diagnostics.map(\.description).joined(separator: "\n"))
    }

    func testProseTextBecomesTheReasoningTree() throws {
        let calls = [ToolOutcome(tool: "calculator", arguments: ["expression": "8 * 7"], result: .success(["result": 56, "exact": true]), duration: .zero)]
        let text = "First, 8 * 7 = 56 dollars.\n\nThen x = 2.\nAnswer: $56 dollars"
        let offset = text.utf8.count - text.drop(while: { $0 != "=" }).utf8.count + 1
        let document = StepsDocument(text: text, toolCalls: calls, answerMember: "answer", syntax: .prose, callOffsets: [offset])
        XCTAssertEqual(document.steps.map(\.text), ["First, 8 * 7 = 56 dollars.", "Then x = 2."])
        XCTAssertEqual(document.steps.map(\.callCount), [1, 0])
        XCTAssertEqual(document.answer, ["answer": 56])
        let first = document.document.objectValue?["reasoning"]?.arrayValue?.first?.objectValue
        XCTAssertEqual(first?["tooluse"]?.objectValue?["tool_name"], "calculator")
        XCTAssertEqual(first?["conclusion"], "56")
        XCTAssertEqual(StepsRound.proseResultText(of: calls[0], after: "8 * 7 ="), " 56")
        XCTAssertEqual(StepsRound.proseResultText(of: calls[0], after: "8*7="), "56")
    }

    /// Steered into `8 * 7 =`, the runtime calls the real calculator and writes ` 56`; the model
    /// (the default test model) finishes under the grammar. Stopped halfway and resumed from
    /// the store, the run gives the same tree without calling the calculator again.
    func testProseRunCallsTheCalculatorAtTheEqualsSignAndResumesTheSame() async throws {
        let model = try RuntimeFixtures.loadModel()
        let workflow = try Self.workflow()
        let transformer = try Transformer(file: model.file, threads: 2, contextSlots: 1024)
        let runner = WorkflowRunner(workflow: workflow, model: transformer, tokenizer: model.tokenizer, chatTemplate: model.template,
                                    tools: try await ToolBox(workflow: workflow))
        let counter = RuntimeFixtures.StepCounter(attachedTo: runner)
        let inputs: JSONObject = ["problem": "Tom buys 8 pens at $7 each. How much does he pay?"]
        let steer = RuntimeFixtures.forcedPrefix("Tom pays 8 * 7 =", tokenizer: model.tokenizer)
        let uninterrupted = try await runner.run(inputs: inputs, resuming: steer)
        XCTAssertEqual(uninterrupted.toolCalls.first?.tool, "calculator")
        XCTAssertEqual(uninterrupted.toolCalls.first?.arguments, ["expression": "8 * 7"])
        XCTAssertEqual(uninterrupted.toolCalls.first?.value?["result"], 56)
        XCTAssertNotNil(uninterrupted.output.objectValue?["answer"]?.doubleValue, uninterrupted.output.compactString)
        let first = try XCTUnwrap(uninterrupted.document.objectValue?["reasoning"]?.arrayValue?.first?.objectValue)
        XCTAssertTrue(first["thought"]?.stringValue?.hasPrefix("Tom pays 8 * 7 = 56") == true, first["thought"]?.compactString ?? "")
        XCTAssertEqual(first["tooluse"]?.objectValue?["tool_name"], "calculator")
        XCTAssertEqual(uninterrupted.metrics.toolCalls, uninterrupted.toolCalls.count)
        let totalSteps = counter.steps

        let store = try RunStore()
        let runID = "r-prose"
        let hash = String(repeating: "0", count: 64)
        try store.createRun(Run(id: runID, workflow: workflow.name, specText: "", specSHA256: hash, inputsJSON: "{}",
                                modelPath: RuntimeFixtures.modelPath, modelSHA256: hash, samplingJSON: "{}"))
        runner.recorder = StoreRecorder(store: store, runID: runID)
        counter.steps = 0
        counter.stopAfter = max(2, totalSteps / 2)
        do {
            _ = try await runner.run(inputs: inputs, resuming: steer)
            XCTFail("the run should have stopped after \(counter.stopAfter) steps")
        } catch RuntimeError.interrupted {}
        counter.stopAfter = .max
        runner.recorder = StoreRecorder(store: store, runID: runID)
        let resumed = try await runner.run(inputs: inputs, resuming: try store.recordedProgress(runID: runID))
        (runner.recorder as? StoreRecorder).map { try? $0.commit() }
        XCTAssertEqual(resumed.document.compactString, uninterrupted.document.compactString)
        XCTAssertEqual(resumed.output, uninterrupted.output)
        XCTAssertEqual(try store.loadRun(id: runID).toolCalls.count, uninterrupted.toolCalls.count)
    }
}
