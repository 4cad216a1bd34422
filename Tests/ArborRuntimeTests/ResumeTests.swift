import ArborModel
import ArborRecording
import ArborRuntime
import ArborSchema
import ArborSpec
import ArborStore
import ArborTools
import Foundation
import XCTest

/// Stopping a recorded run and resuming it from the store gives the uninterrupted run's tree,
/// byte for byte, and never repeats a finished tool call.
final class ResumeTests: XCTestCase {
    /// Counts steps and stops the run after a given number.
    func testResumingFromTheStoreGivesTheUninterruptedTree() async throws {
        let workflow = try RuntimeFixtures.toolWorkflow()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-resume-log-\(UUID().uuidString)").path
        setenv("ARBOR_TEST_TOOL_LOG", log, 1)
        defer { unsetenv("ARBOR_TEST_TOOL_LOG"); try? FileManager.default.removeItem(atPath: log) }
        let (file, tokenizer, template) = try RuntimeFixtures.loadModel()
        let model = try Transformer(file: file, threads: 2, contextSlots: 2048)
        let toolBox = try await ToolBox(workflow: workflow)
        let runner = WorkflowRunner(workflow: workflow, model: model, tokenizer: tokenizer, chatTemplate: template, tools: toolBox)
        let counter = RuntimeFixtures.StepCounter(attachedTo: runner)
        let inputs: JSONObject = ["question": "How long is the word arbor?"]
        // Steer into a tool call, then into a subtask list, so both are crossed by a stop.
        let steer = RuntimeFixtures.forcedPrefix(
            #"{"reasoning":[{"thought":"Count it.","tooluse":{"tool_name":"count","parameters":{"text":"arbor"},"tool_result":"#,
            tokenizer: tokenizer)

        let uninterrupted = try await runner.run(inputs: inputs, resuming: steer)
        let totalSteps = counter.steps
        XCTAssertGreaterThan(totalSteps, 8, "a run long enough to stop in several places")
        let callsPerRun = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count
        XCTAssertEqual(callsPerRun, uninterrupted.toolCalls.count)
        XCTAssertGreaterThanOrEqual(callsPerRun, 1)

        let store = try RunStore()
        for (index, stopAfter) in [3, totalSteps / 3, totalSteps * 2 / 3, totalSteps - 1].enumerated() {
            try? FileManager.default.removeItem(atPath: log)
            let runID = "r-test\(index)"
            try store.createRun(RuntimeFixtures.run(id: runID, workflow: workflow.name))
            runner.recorder = StoreRecorder(store: store, runID: runID)
            counter.steps = 0
            counter.stopAfter = stopAfter
            do {
                _ = try await runner.run(inputs: inputs, resuming: steer)
                XCTFail("the run should have stopped after \(stopAfter) steps")
            } catch RuntimeError.interrupted {
                // Like a kill: whatever was not committed yet is lost.
            }
            counter.stopAfter = .max
            // At one stop the rows of a few prompt tokens (cached to the end) are gone: the
            // replay must notice and compute the context instead.
            let rowsLost = index == 1
            if rowsLost { try store.checkpoint { try $0.deleteKVRows(runID: runID, seqs: 0..<5) } }
            // At another, a row has the wrong size (as another model's would): the same.
            let rowDamaged = index == 2
            if rowDamaged {
                try store.checkpoint { try $0.db.execute(sql: "UPDATE kvRow SET data = x'00' WHERE runID = ? AND seq = 7", arguments: [runID]) }
            }
            runner.recorder = StoreRecorder(store: store, runID: runID)
            let progress = try store.recordedProgress(runID: runID)
            let resumed = try await runner.run(inputs: inputs, resuming: progress)
            (runner.recorder as? StoreRecorder).map { try? $0.commit() }
            XCTAssertEqual(resumed.document.compactString, uninterrupted.document.compactString, "stopped after \(stopAfter) steps")
            XCTAssertEqual(resumed.output, uninterrupted.output)
            let calls = (try? String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count) ?? 0
            XCTAssertEqual(calls, callsPerRun, "each tool call is made once across the stop and the resume (stop after \(stopAfter))")
            let record = try store.loadRun(id: runID)
            XCTAssertEqual(record.tokens.total, uninterrupted.metrics.promptTokens + uninterrupted.metrics.treeTokens,
                           "the token log holds every token once")
            XCTAssertEqual(record.toolCalls.count, uninterrupted.toolCalls.count)
            // the context came back from the stored KV rows, not from recomputing it
            if rowsLost || rowDamaged {
                XCTAssertEqual(resumed.metrics.restoredTokens, 0, "rows missing or unusable for cached tokens: everything computed")
            } else if index > 0 {
                XCTAssertGreaterThan(resumed.metrics.restoredTokens, uninterrupted.metrics.promptTokens, "stop after \(stopAfter)")
            }
            // rows are kept for exactly the tokens still cached: pruned ones left with them
            XCTAssertEqual(try store.kvRowStatistics(runID: runID).rows,
                           uninterrupted.metrics.promptTokens + uninterrupted.metrics.treeTokens - uninterrupted.metrics.prunedTokens
                               - (rowsLost ? 5 : 0))
        }
        await toolBox.shutdown()
    }
}
