import ArborModel
@testable import ArborRuntime
import ArborSchema
import ArborSpec
import ArborStore
import ArborTools
import Foundation
import XCTest

/// Whole runs with the real default model, real tools and a real SQLite store.
final class WorkflowRunnerTests: XCTestCase {
    private func runner(_ workflow: Workflow, tools: any ToolInvoking, prune: Bool = true) throws -> WorkflowRunner {
        let (file, tokenizer, template) = try RuntimeFixtures.loadModel()
        let model = try Transformer(file: file, threads: 2, contextSlots: 2048)
        var options = RunOptions(workflow: workflow)
        options.prune = prune
        return WorkflowRunner(workflow: workflow, model: model, tokenizer: tokenizer, chatTemplate: template, tools: tools, options: options)
    }

    /// Each kind of tool is called from inside the decoding loop — the tree is steered up to
    /// its `"tool_result":` — and the run then finishes on its own with a schema-valid answer.
    func testToolsAreCalledInsideTheLoopAndTheRunEndsWithAValidAnswer() async throws {
        let server = try RuntimeFixtures.HTTPServer()
        defer { server.stop() }
        let workflow = try RuntimeFixtures.toolWorkflow(httpPort: server.port)
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-tool-log-\(UUID().uuidString)").path
        setenv("ARBOR_TEST_TOOL_LOG", log, 1)
        defer { unsetenv("ARBOR_TEST_TOOL_LOG"); try? FileManager.default.removeItem(atPath: log) }
        let toolBox = try await ToolBox(workflow: workflow)
        let runner = try runner(workflow, tools: toolBox)
        let cases: [(call: String, check: (ToolOutcome) -> Bool)] = [
            (#""tool_name":"add","parameters":{"a":2,"b":3}"#, { $0.value == ["result": 5] || $0.value?.compactString.contains("5") == true }),
            (#""tool_name":"get_current_time","parameters":{"timezone":"UTC"}"#, { $0.value?.compactString.contains("UTC") == true }),
            (#""tool_name":"count","parameters":{"text":"arbor"}"#, { $0.value == ["length": 5] }),
            (#""tool_name":"calculator","parameters":{"expression":"2^10"}"#, { $0.value?.objectValue?["result"] == .integer(1024) }),
            (#""tool_name":"echo","parameters":{"text":"hi there"}"#, {
                $0.value?.objectValue?["query"]?.compactString.contains("hi there") == true }),
        ]
        for (call, check) in cases {
            let prefix = #"{"reasoning":[{"thought":"Use the tool.","tooluse":{"# + call + #","tool_result":"#
            let report = try await runner.run(inputs: ["question": "What does the tool say?"],
                                              resuming: RuntimeFixtures.forcedPrefix(prefix, tokenizer: runner.tokenizer))
            let first = try XCTUnwrap(report.toolCalls.first, call)
            XCTAssertTrue(first.isSuccess, "\(call): \(first.modelJSON.compactString)")
            XCTAssertTrue(check(first), "\(call): \(first.modelJSON.compactString)")
            XCTAssertEqual(report.output.objectValue?.keys, ["result"])
            // The tree holds the result where the model left the hole.
            let tooluse = report.document.objectValue?["reasoning"]?.arrayValue?.first?.objectValue?["tooluse"]?.objectValue
            XCTAssertEqual(tooluse?["tool_result"], first.modelJSON)
            XCTAssertEqual(report.metrics.toolCalls, report.toolCalls.count)
        }
        await toolBox.shutdown()
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.first, #"{"text": "arbor"}"#, "the command tool ran with the model's arguments")
    }

    /// One run that prunes a finished subtask list, calls a tool afterwards and ends with a
    /// valid answer; the same run with pruning off keeps every token.
    func testARunPrunesCallsAToolAndEndsValid() async throws {
        let workflow = try RuntimeFixtures.toolWorkflow(pruneBuffer: 0)
        let toolBox = try await ToolBox(workflow: workflow)
        let prefix = #"{"reasoning":[{"thought":"Split it.","subtasks":[{"thought":"Part one.","conclusion":"One is done."},"#
            + #"{"thought":"Part two.","conclusion":"Two is done."}],"conclusion":"Both parts are done."},"#
            + #"{"thought":"Check the answer.","tooluse":{"tool_name":"calculator","parameters":{"expression":"6*7"},"tool_result":"#
        for prune in [true, false] {
            let runner = try runner(workflow, tools: toolBox, prune: prune)
            let report = try await runner.run(inputs: ["question": "What is six times seven?"],
                                              resuming: RuntimeFixtures.forcedPrefix(prefix, tokenizer: runner.tokenizer))
            XCTAssertEqual(report.toolCalls.first?.value?.objectValue?["result"], .integer(42))
            XCTAssertNotNil(report.output.objectValue?["result"])
            if prune {
                XCTAssertGreaterThan(report.metrics.prunedTokens, 10)
                XCTAssertLessThan(report.metrics.peakKVSlots, report.metrics.promptTokens + report.metrics.treeTokens)
            } else {
                XCTAssertEqual(report.metrics.prunedTokens, 0)
                XCTAssertEqual(report.metrics.peakKVSlots, report.metrics.promptTokens + report.metrics.treeTokens)
            }
        }
        await toolBox.shutdown()
    }

    /// Parameters that break the tool's schema (here: a schema the grammar cannot enforce
    /// fully) come back to the model as an error result, and the run goes on.
    func testAToolFailureBecomesAnErrorResultAndTheRunGoesOn() async throws {
        let workflow = try RuntimeFixtures.toolWorkflow()
        let toolBox = try await ToolBox(workflow: workflow)
        let runner = try runner(workflow, tools: toolBox)
        let prefix = #"{"reasoning":[{"thought":"Divide.","tooluse":{"tool_name":"calculator","parameters":{"expression":"1/0"},"tool_result":"#
        let report = try await runner.run(inputs: ["question": "1/0?"], resuming: RuntimeFixtures.forcedPrefix(prefix, tokenizer: runner.tokenizer))
        await toolBox.shutdown()
        let first = try XCTUnwrap(report.toolCalls.first)
        XCTAssertFalse(first.isSuccess)
        XCTAssertNotNil(first.modelJSON.objectValue?["error"])
    }
}

extension JSONValue {
    var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
}
