import ArborModel
import ArborRecording
import ArborRuntime
import ArborSchema
import ArborSpec
import ArborStore
import ArborTools
import Foundation
import XCTest

/// InftyThink-style rounds: past the round budget a round ends at a top-level task boundary
/// with a summary, the next starts from the instructions and that summary, and a resume
/// crosses rounds like everything else.
final class SummaryRoundTests: XCTestCase {
    func testARoundPastItsBudgetEndsWithASummaryAndTheNextGoesOnFromIt() async throws {
        let workflow = try RuntimeFixtures.toolWorkflow(roundBudget: 64)
        let (file, tokenizer, template) = try RuntimeFixtures.loadModel()
        let model = try Transformer(file: file, threads: 2, contextSlots: 2048)
        let toolBox = try await ToolBox(workflow: workflow)
        let runner = WorkflowRunner(workflow: workflow, model: model, tokenizer: tokenizer, chatTemplate: template, tools: toolBox)
        let counter = RuntimeFixtures.StepCounter(attachedTo: runner)
        // Two first tasks, together past the budget of 64 kept tree tokens (each text stays
        // under the workflow's max_text_length of 100).
        let steer = RuntimeFixtures.forcedPrefix(
            #"{"reasoning":[{"thought":"The question asks how many letters the word arbor has.","#
                + #""conclusion":"I must spell the word arbor out letter by letter."},"#
                + #"{"thought":"Spell it: a, r, b, o, r.","conclusion":"The word arbor is spelled a-r-b-o-r: five letters."}"#,
            tokenizer: tokenizer)
        let inputs: JSONObject = ["question": "How many letters does the word arbor have?"]

        let report = try await runner.run(inputs: inputs, resuming: steer)
        XCTAssertGreaterThanOrEqual(report.rounds.count, 2)
        XCTAssertLessThanOrEqual(report.rounds.count, 3, "max_rounds")
        let firstSummary = try XCTUnwrap(report.rounds[0].summary)
        XCTAssertFalse(firstSummary.isEmpty)
        XCTAssertNil(report.rounds.last?.summary, "the last round answers")
        XCTAssertNotNil(report.output.objectValue?["result"])
        XCTAssertGreaterThan(report.rounds[1].promptTokens, 0)
        XCTAssertLessThan(report.rounds[1].promptTokens, report.rounds[0].promptTokens,
                          "a later round feeds only the summary; the instructions' cache is kept")

        // Stop inside the second round, resume from the store: the same answer and summaries.
        let store = try RunStore()
        try store.createRun(RuntimeFixtures.run(id: "r-rounds", workflow: workflow.name))
        counter.steps = 0
        _ = try await runner.run(inputs: inputs, resuming: steer)
        let totalSteps = counter.steps
        runner.recorder = StoreRecorder(store: store, runID: "r-rounds")
        counter.steps = 0
        counter.stopAfter = totalSteps * 3 / 4
        do {
            _ = try await runner.run(inputs: inputs, resuming: steer)
            XCTFail("the run should have stopped")
        } catch RuntimeError.interrupted {}
        counter.stopAfter = .max
        runner.recorder = StoreRecorder(store: store, runID: "r-rounds")
        let resumed = try await runner.run(inputs: inputs, resuming: try store.recordedProgress(runID: "r-rounds"))
        XCTAssertEqual(resumed.output, report.output)
        XCTAssertEqual(resumed.rounds.map(\.summary), report.rounds.map(\.summary))
        XCTAssertEqual(resumed.document.compactString, report.document.compactString)
        let recorded = try store.loadRun(id: "r-rounds")
        XCTAssertEqual(recorded.rounds.count, report.rounds.count)
        // every round keeps its own tree: round 1's task 0 does not overwrite round 0's
        XCTAssertEqual(Set(recorded.nodes.map(\.round)), Set(report.rounds.filter { $0.treeTokens > 0 }.map(\.number))
                           .intersection(Set(recorded.nodes.map(\.round))))
        XCTAssertTrue(recorded.nodes.contains { $0.round == 0 } && recorded.nodes.contains { $0.round > 0 },
                      "tasks of the first and of a later round are both recorded")
        (runner.recorder as? StoreRecorder).map { try? $0.commit() }
        XCTAssertGreaterThan(resumed.metrics.restoredTokens, 0, "the context came back from the stored rows")
        // an ended round's document tokens leave the cache, and their rows the store; the
        // last round's tokens are all cached, with their rows
        var seqBase = 0
        for round in report.rounds {
            let tree = (seqBase + round.promptTokens)..<(seqBase + round.promptTokens + round.treeTokens)
            let rows = try store.kvRows(runID: "r-rounds", seqs: tree).count
            if round.number < report.rounds.count - 1 {
                XCTAssertEqual(rows, 0, "round \(round.number)'s document rows are released")
            } else {
                XCTAssertEqual(rows, round.treeTokens - report.metrics.prunedTokens, "the last round's rows are kept")
            }
            seqBase = tree.upperBound
        }
        await toolBox.shutdown()
    }
}
