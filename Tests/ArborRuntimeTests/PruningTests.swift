import ArborGrammar
import ArborModel
@testable import ArborRuntime
import ArborSchema
import ArborSpec
import ArborTools
import XCTest

/// Pruning with the real model: evicting finished subtask lists and re-rotating the later
/// keys leaves the model where a fresh prefill of the kept tokens would.
final class PruningTests: XCTestCase {
    /// A tree with two finished subtask lists, the second nested in a later task.
    static let treePrefix = #"{"reasoning":[{"thought":"Split the work.","subtasks":[{"thought":"First part.","conclusion":"It is 4."},"#
        + #"{"thought":"Second part.","conclusion":"It is 6."}],"conclusion":"Together 10."},"#
        + #"{"thought":"Check it.","subtasks":[{"thought":"Recount.","conclusion":"Still 10."}],"conclusion":"Checked"#

    private func replay(pruneBuffer: Int, prune: Bool = true) async throws -> (TreeDecoder, Transformer, BPETokenizer) {
        let (file, tokenizer, template) = try RuntimeFixtures.loadModel()
        let workflow = try RuntimeFixtures.toolWorkflow(pruneBuffer: pruneBuffer, maxDepth: 3)
        let model = try Transformer(file: file, threads: 2, contextSlots: 1024)
        var options = RunOptions(workflow: workflow)
        options.prune = prune
        let runner = WorkflowRunner(workflow: workflow, model: model, tokenizer: tokenizer, chatTemplate: template,
                                    tools: try ToolBox(tools: []), options: options)
        let spec = try ReasoningTreeSpec(workflow: workflow, serverTools: ["add": ["type": "object"]])
        let grammar = try VocabularyCache.shared.compiled(TreeGrammarBuilder.grammar(for: spec).grammar, for: tokenizer)
        var round = runner.makeDecoder(grammar: grammar)
        let prompt = template.render(messages: [.system("Reason as a JSON tree."), .user("Count to ten.")], addGenerationPrompt: true)
        try round.memory.feedPrompt(tokenizer.encode(prompt, parseSpecial: true))
        try round.replay(RuntimeFixtures.forcedPrefix(Self.treePrefix, tokenizer: tokenizer))
        return (round, model, tokenizer)
    }

    func testEvictedListsLeaveLogitsOfAFreshPrefillOfTheKeptTokens() async throws {
        let (round, model, _) = try await replay(pruneBuffer: 0)
        let memory = round.memory
        XCTAssertGreaterThan(memory.prunedCount, 20, "both subtask lists are evicted at once with a buffer of 0")
        let kept = memory.promptTokens + zip(memory.tokens, memory.live).filter(\.1).map(\.0)
        XCTAssertEqual(kept.count, memory.liveCount)
        XCTAssertEqual(Int(memory.nextPosition), kept.count, "kept tokens sit at contiguous positions")
        let pruned = Array(model.logits)

        let (file, _, _) = try RuntimeFixtures.loadModel()
        let fresh = try Transformer(file: file, threads: 2, contextSlots: 1024)
        _ = try fresh.prefill(tokens: kept, positions: (0..<Int32(kept.count)).map { $0 })
        let reference = Array(fresh.logits)
        let maxDifference = zip(pruned, reference).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThan(maxDifference, 1e-3, "re-rotated keys against a fresh prefill (measured below 1e-4)")
        XCTAssertEqual(Sampler.argmax(model.logits), Sampler.argmax(fresh.logits))
    }

    func testTheBufferKeepsTheMostRecentListsAndNoPruneKeepsAll() async throws {
        let (kept, _, _) = try await replay(pruneBuffer: 1)
        let (none, _, _) = try await replay(pruneBuffer: 0, prune: false)
        let (all, _, _) = try await replay(pruneBuffer: 0)
        XCTAssertEqual(none.memory.prunedCount, 0)
        XCTAssertGreaterThan(kept.memory.prunedCount, 0, "the first list leaves when the second closes")
        XCTAssertLessThan(kept.memory.prunedCount, all.memory.prunedCount, "the most recent list stays with a buffer of 1")
        XCTAssertEqual(none.memory.liveCount, all.memory.liveCount + all.memory.prunedCount)
        // The evicted tokens are exactly the interior of the lists: the tree text is whole.
        XCTAssertEqual(String(decoding: all.tracker.document, as: UTF8.self), Self.treePrefix)
    }
}
