import ArborGrammar
import ArborModel
@testable import ArborRuntime
import ArborSchema
import ArborSpec
import ArborTools
import Foundation
import XCTest

/// A model that keeps writing one tool argument near its token limit: the limit ends the
/// call's parameters, the tool runs, and the tree still closes with a valid answer.
final class ToolCallAtTokenLimitTests: XCTestCase {
    /// Steered into a calculator call whose expression repeats itself (what a small model did
    /// in the field, up to its limit); the greedy model goes on repeating it.
    private static let steerText = #"{"reasoning":[{"thought":"Add the legs.","tooluse":{"tool_name":"calculator","parameters":{"expression":"(8 * 3) + (8 * 3) + (8 * 3) + (8 * 3) + (8 * 3) + (8"#

    func testATooLongToolArgumentAtTheTokenLimitIsEndedAndTheTreeCloses() async throws {
        let workflow = try TokenLimitClosingTests.workflow()
        let (file, tokenizer, template) = try RuntimeFixtures.loadModel()
        let model = try Transformer(file: file, threads: 2, contextSlots: 1024)
        let toolBox = try await ToolBox(workflow: workflow)
        let runner = WorkflowRunner(workflow: workflow, model: model, tokenizer: tokenizer, chatTemplate: template, tools: toolBox)
        let steer = RuntimeFixtures.forcedPrefix(Self.steerText, tokenizer: tokenizer)
        // Room for a few more tokens of the expression, then the call must end and the tree close.
        let limit = steer.tokens.count + 110
        runner.options.maxTokens = limit
        let report = try await runner.run(inputs: ["question": "How many legs do six spiders have?"], resuming: steer)
        await toolBox.shutdown()
        XCTAssertTrue(report.metrics.closedAtTokenLimit)
        XCTAssertLessThanOrEqual(report.metrics.generatedTokens + report.metrics.forcedTokens, limit)
        XCTAssertEqual(report.toolCalls.count, 1, "the call was made")
        let expression = try XCTUnwrap(report.toolCalls.first?.arguments["expression"]?.stringValue)
        XCTAssertTrue(expression.hasPrefix("(8 * 3) + (8 * 3) + (8 * 3) + (8 * 3) + (8 * 3) + (8"), expression)
        XCTAssertNotNil(report.output.objectValue?["result"], "the answer is valid against the output schema")
        let task = report.document["reasoning"]?.arrayValue?.first
        XCTAssertNotNil(task?["tooluse"]?["tool_result"], "the tool's result (or its error) sits in the tree")
    }

    func testToolStringsWithoutMaxLengthAreBoundedByDefault() throws {
        let workflow = try TokenLimitClosingTests.workflow()
        XCTAssertEqual(workflow.limits.maxToolStringLength, 512)
        XCTAssertEqual(try ReasoningTreeSpec(workflow: workflow).maxToolStringLength, 512)
    }
}
