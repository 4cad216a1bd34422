import ArborModel
import ArborRecording
import ArborRuntime
import ArborSchema
import ArborStore
import ArborTools
import Foundation
import XCTest

/// A resume decides before it replays whether it copies the recorded KV rows back or computes
/// the context, and then does that once: a lost row never makes it replay the run again.
final class ResumeRowsTests: XCTestCase {
    /// The transformer, counting the tokens it computes and those it appends uncomputed.
    private final class CountingBackend: KVRowTransfer {
        let base: Transformer
        var computed = 0
        var uncomputed = 0

        init(_ base: Transformer) { self.base = base }

        var vocabularySize: Int { base.vocabularySize }
        var logits: UnsafeMutableBufferPointer<Float> { base.logits }
        var sequenceSlots: [Int32] { base.sequenceSlots }
        var kvRowByteCount: Int { base.kvRowByteCount }

        func prefill(tokens: [Int32], positions: [Int32]) throws -> [Int32] {
            computed += tokens.count
            return try base.prefill(tokens: tokens, positions: positions)
        }

        func decode(token: Int32, position: Int32) throws -> Int32 {
            computed += 1
            return try base.decode(token: token, position: position)
        }

        @discardableResult func free(slots: [Int32]) -> Int { base.free(slots: slots) }
        func reposition(slots: [Int32], delta: Int32) { base.reposition(slots: slots, delta: delta) }
        func copyRows(of slots: [Int32]) -> [UInt8] { base.copyRows(of: slots) }
        func writeRow(_ row: UnsafeRawBufferPointer, slot: Int32) throws { try base.writeRow(row, slot: slot) }

        func appendUncomputed(positions: [Int32]) throws -> [Int32] {
            uncomputed += positions.count
            return try base.appendUncomputed(positions: positions)
        }
    }

    func testAResumeCopiesIntactRowsAndComputesOnceWhereARowIsLost() async throws {
        let workflow = try RuntimeFixtures.toolWorkflow()
        let (file, tokenizer, template) = try RuntimeFixtures.loadModel()
        let model = CountingBackend(try Transformer(file: file, threads: 2, contextSlots: 2048))
        let toolBox = try await ToolBox(workflow: workflow)
        let runner = WorkflowRunner(workflow: workflow, model: model, tokenizer: tokenizer, chatTemplate: template, tools: toolBox)
        let counter = RuntimeFixtures.StepCounter(attachedTo: runner)
        let inputs: JSONObject = ["question": "How long is the word arbor?"]
        let steer = RuntimeFixtures.forcedPrefix(
            #"{"reasoning":[{"thought":"Count it.","tooluse":{"tool_name":"count","parameters":{"text":"arbor"},"tool_result":"#,
            tokenizer: tokenizer)
        let uninterrupted = try await runner.run(inputs: inputs, resuming: steer)
        let total = uninterrupted.metrics.promptTokens + uninterrupted.metrics.treeTokens
        XCTAssertEqual(model.computed, total, "a run computes each token once")
        let stopAfter = counter.steps / 2

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-resume-rows-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try RunStore(path: directory.appendingPathComponent("arbor.sqlite").path)
        /// Records a run stopped after `stopAfter` steps, then damages its record with `damage`.
        func stoppedRun(_ runID: String, damage: (StoreTransaction) throws -> Void = { _ in }) async throws -> RecordedProgress {
            try store.createRun(RuntimeFixtures.run(id: runID, workflow: workflow.name))
            runner.recorder = StoreRecorder(store: store, runID: runID)
            counter.steps = 0
            counter.stopAfter = stopAfter
            do {
                _ = try await runner.run(inputs: inputs, resuming: steer)
                XCTFail("the run should have stopped after \(stopAfter) steps")
            } catch RuntimeError.interrupted {}
            counter.stopAfter = .max
            try store.checkpoint(damage)
            runner.recorder = StoreRecorder(store: store, runID: runID)
            (model.computed, model.uncomputed) = (0, 0)
            return try store.recordedProgress(runID: runID)
        }

        // intact rows: everything recorded is copied back but the last token, whose logits go on
        let intact = try await stoppedRun("r-intact")
        let recorded = intact.promptTokens.count + intact.tokens.count
        XCTAssertNotNil(intact.kvRows)
        let resumed = try await runner.run(inputs: inputs, resuming: intact)
        XCTAssertEqual(resumed.document.compactString, uninterrupted.document.compactString)
        XCTAssertEqual(model.uncomputed, recorded - 1)
        XCTAssertEqual(model.computed, total - recorded + 1)

        // a prompt token's row lost (the token stays cached to the end): the resume knows it
        // before replaying and computes every token once, appending none uncomputed
        let lost = try await stoppedRun("r-lost") { try $0.deleteKVRows(runID: "r-lost", seqs: 3..<4) }
        XCTAssertNil(lost.kvRows, "rows that cannot stand for the cache are not offered")
        let computedOnce = try await runner.run(inputs: inputs, resuming: lost)
        XCTAssertEqual(computedOnce.document.compactString, uninterrupted.document.compactString)
        XCTAssertEqual(computedOnce.output, uninterrupted.output)
        XCTAssertEqual(computedOnce.metrics.restoredTokens, 0)
        XCTAssertEqual(model.uncomputed, 0, "nothing copied back and thrown away")
        XCTAssertEqual(model.computed, total, "each token computed once: no second replay")

        // a record whose rows say a token left the cache while its replay keeps it: a clear error
        let contradicting = try await stoppedRun("r-contradicting") { tx in
            try tx.releaseKVRows(runID: "r-contradicting", seqs: 3..<4)
        }
        do {
            _ = try await runner.run(inputs: inputs, resuming: contradicting)
            XCTFail("a replay keeping a token without its row must not go on")
        } catch RuntimeError.kvRowsUnusable(let seq, _) {
            XCTAssertEqual(seq, 3)
        }
        await toolBox.shutdown()
    }
}
