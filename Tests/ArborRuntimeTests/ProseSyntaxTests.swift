import ArborGrammar
import ArborModel
@testable import ArborRuntime
import ArborRecording
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

    /// The workflow, its `max_tokens` set to `maxTokens`.
    static func workflow(maxTokens: Int = 120) throws -> Workflow {
        let text = workflowText.replacingOccurrences(of: "max_tokens: 120", with: "max_tokens: \(maxTokens)")
        let (workflow, diagnostics) = WorkflowLoader.load(text: text)
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
        XCTAssertEqual(StepsReader.proseResultText(of: calls[0], after: "8 * 7 ="), " 56")
        for (written, value) in [("Answer: 64.", 64.0), ("Answer: 64. That is all.", 64), ("Answer: 64.5 dollars.", 64.5)] {
            let read = StepsDocument(text: "So she keeps 64.\n" + written, toolCalls: [], answerMember: "answer", syntax: .prose)
            XCTAssertEqual(read.answer?.objectValue?["answer"]?.doubleValue, value, written)
        }
        XCTAssertEqual(StepsReader.proseResultText(of: calls[0], after: "8*7="), "56")
    }

    /// Steered into `8 * 7 =`, the runtime calls the real calculator and writes ` 56`; the model
    /// (the default test model) finishes under the grammar. Stopped halfway and resumed from
    /// the store, the run gives the same tree without calling the calculator again.
    func testProseRunCallsTheCalculatorAtTheEqualsSignAndResumesTheSame() async throws {
        let (runner, tokenizer) = try await Self.runner()
        let workflow = runner.workflow
        let counter = RuntimeFixtures.StepCounter(attachedTo: runner)
        let inputs: JSONObject = ["problem": "Tom buys 8 pens at $7 each. How much does he pay?"]
        let steer = RuntimeFixtures.forcedPrefix("Tom pays 8 * 7 =", tokenizer: tokenizer)
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
        try store.createRun(RuntimeFixtures.run(id: runID, workflow: workflow.name))
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

    /// With the built-in `unit_convert`, the prose question states the converter's factors for
    /// the units the problem names between the problem and the request to solve it; without
    /// it (or without two related units) the question is plain chat's.
    func testTheProseQuestionStatesTheConvertersFactorsForTheNamedUnits() throws {
        let text = Self.workflowText.replacingOccurrences(of: "tools:\n", with: "tools:\n  - name: unit_convert\n    builtin: unit_convert\n")
        let converting = try XCTUnwrap(WorkflowLoader.load(text: text).0)
        let problem: JSONObject = ["problem": "A bag weighs 40 pounds. How many kilograms do 3 bags weigh?"]
        let question = PromptBuilder(workflow: converting, tools: []).proseMessages(inputs: problem).map(\.content)
        XCTAssertEqual(question, ["""
            Solve this problem. A bag weighs 40 pounds. How many kilograms do 3 bags weigh?

            Exact conversions (from the unit converter):
            - 1 pound = 0.45359237 kilograms
            - 1 kilogram = 2.204622622 pounds

            \(ProsePrompt.instruction)
            """])
        let plain = ProsePrompt.question(instructions: "Solve this problem. A bag weighs 40 pounds. How many kilograms do 3 bags weigh?")
        XCTAssertEqual(PromptBuilder(workflow: try Self.workflow(), tools: []).proseMessages(inputs: problem).map(\.content), [plain])
        XCTAssertEqual(PromptBuilder(workflow: converting, tools: []).proseMessages(inputs: ["problem": "Tom buys 8 pens."]).map(\.content),
                       [ProsePrompt.question(instructions: "Solve this problem. Tom buys 8 pens.")])
    }

    /// A runner of ``workflow(maxTokens:)`` on the default model.
    static func runner(maxTokens: Int = 120) async throws -> (WorkflowRunner, BPETokenizer) {
        let model = try RuntimeFixtures.loadModel()
        let workflow = try workflow(maxTokens: maxTokens)
        let transformer = try Transformer(file: model.file, threads: 2, contextSlots: 1024)
        let runner = WorkflowRunner(workflow: workflow, model: transformer, tokenizer: model.tokenizer, chatTemplate: model.template,
                                    tools: try await ToolBox(workflow: workflow))
        return (runner, model.tokenizer)
    }

    /// The model has said its answer in a sentence and its first choice is to end, which the
    /// grammar does not allow before an `Answer:` line: the runtime writes `\nAnswer:` (the
    /// grammar's shortest way there) instead of making the model write on, and the model
    /// writes the number. It is the model's own finish, not the token limit's.
    func testTheModelsWishToEndBeginsTheAnswerLine() async throws {
        let (runner, tokenizer) = try await Self.runner(maxTokens: 200)
        let steerText = "Tom pays 8 times 7, which is 56 dollars. So the answer is 56."
        let steer = RuntimeFixtures.forcedPrefix(steerText, tokenizer: tokenizer)
        let report = try await runner.run(inputs: ["problem": "Tom buys 8 pens at $7 each. How much does he pay?"], resuming: steer)
        let answerStart = tokenizer.encode("\nAnswer:", parseSpecial: false)
        XCTAssertEqual(report.metrics.forcedTokens, steer.tokens.count + answerStart.count,
                       "the runtime forced the answer line's start: \(report.document.compactString)")
        XCTAssertFalse(report.metrics.closedAtTokenLimit)
        let thoughts = report.document.objectValue?["reasoning"]?.arrayValue?.compactMap { $0.objectValue?["thought"]?.stringValue }
        XCTAssertEqual(thoughts, [steerText])
        XCTAssertEqual(report.output.objectValue?["answer"]?.doubleValue, 56, report.output.compactString)
        XCTAssertLessThan(report.metrics.generatedTokens, 12, report.document.compactString)
    }

    /// Steered into a Python program and its ```` ```output ```` block, where small code models
    /// invent a number, the runtime writes the program's real output and closes the block
    /// (forced tokens), and the model goes on from there to its answer.
    func testTheRuntimeWritesAProgramsOutputWhereTheModelWouldGuessIt() async throws {
        let (runner, tokenizer) = try await Self.runner(maxTokens: 200)
        let steerText = "Let me compute it.\n```python\nprint(8 * 7 + 2 * 5)\n```\n```output\n"
        let steer = RuntimeFixtures.forcedPrefix(steerText, tokenizer: tokenizer)
        let report = try await runner.run(inputs: ["problem": "Tom buys 8 pens at $7 each and 2 notebooks at $5 each. How much does he pay?"],
                                          resuming: steer)
        let thoughts = report.document.objectValue?["reasoning"]?.arrayValue?.compactMap { $0.objectValue?["thought"]?.stringValue } ?? []
        XCTAssertEqual(Array(thoughts.prefix(6)), ["Let me compute it.", "```python", "print(8 * 7 + 2 * 5)", "```", "```output", "66"],
                       report.document.compactString)
        XCTAssertEqual(thoughts.dropFirst(6).first, "```", report.document.compactString)
        XCTAssertGreaterThanOrEqual(report.metrics.forcedTokens, steer.tokens.count + tokenizer.encode("66\n```\n", parseSpecial: false).count)
        XCTAssertNotNil(report.output.objectValue?["answer"]?.doubleValue, report.output.compactString)
    }

    /// The token limit closes the text while it stands inside a UTF-8 character (here the
    /// first byte of 价): the closing text begins with the bytes that finish the character,
    /// which go as their single-byte tokens, then `\nAnswer:`; the model writes the answer.
    func testTheTokenLimitClosesATextThatEndsInsideACharacter() async throws {
        let model = try RuntimeFixtures.loadModel()
        let lead = Array("价".utf8)[0]
        let byteToken = try XCTUnwrap((0..<Int32(model.tokenizer.vocabularySize)).first { model.tokenizer.tokenBytes($0) == [lead] })
        var steer = RuntimeFixtures.forcedPrefix("Tom pays ", tokenizer: model.tokenizer)
        steer.tokens.append((byteToken, .forced))
        let (runner, _) = try await Self.runner(maxTokens: steer.tokens.count + StepsReader.answerReserve)
        let report = try await runner.run(inputs: ["problem": "Tom buys 8 pens at $7 each. How much does he pay?"], resuming: steer)
        XCTAssertTrue(report.metrics.closedAtTokenLimit)
        let thought = try XCTUnwrap(report.document.objectValue?["reasoning"]?.arrayValue?.first?.objectValue?["thought"]?.stringValue)
        XCTAssertTrue(thought.hasPrefix("Tom pays "), thought)
        XCTAssertEqual(Array(thought.utf8).dropFirst("Tom pays ".utf8.count).first, lead, thought)
        XCTAssertFalse(thought.contains("\u{FFFD}"), thought)
        XCTAssertNotNil(report.output.objectValue?["answer"]?.doubleValue, report.output.compactString)
    }
}
