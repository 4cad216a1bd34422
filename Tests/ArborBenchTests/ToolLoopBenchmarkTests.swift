import ArborBench
import ArborModel
import ArborRuntime
import XCTest

/// The tool-loop benchmark's three modes, small (N = 2) and with the real default model;
/// counts and cache sizes only, no timing.
final class ToolLoopBenchmarkTests: XCTestCase {
    func testTheThreeModesCallTheToolAlikeAndOnlyPruningShrinksTheCacheAndOnlyTheAgentLoopReprefills() async throws {
        let (file, tokenizer, template) = try BenchFixtures.loadModel()
        let model = try Transformer(file: file, threads: 2, contextSlots: 2048)
        let bench = ToolLoopBenchmark(model: model, tokenizer: tokenizer, chatTemplate: template, maxTasks: 4)
        let arbor = try await bench.run(toolCalls: 2, tasks: 4, mode: .arbor)
        let unpruned = try await bench.run(toolCalls: 2, tasks: 4, mode: .arborNoPrune)
        let loop = try await bench.run(toolCalls: 2, tasks: 4, mode: .agentLoop)

        for result in [arbor, unpruned, loop] {
            XCTAssertEqual(result.toolCalls, 2, "\(result.mode)")
            XCTAssertEqual(result.tasks, 4, "\(result.mode)")
            // Two fixed-size results: 48 tokens each, or a token or two more where the padding word splits.
            XCTAssertTrue((96...100).contains(result.toolResultTokens), "\(result.mode): \(result.toolResultTokens)")
        }
        // Pruning evicts finished subtask lists, so fewer slots are ever in use at once.
        XCTAssertGreaterThan(arbor.prunedTokens, 0)
        XCTAssertEqual(unpruned.prunedTokens, 0)
        XCTAssertEqual(loop.prunedTokens, 0)
        XCTAssertLessThan(arbor.peakKVSlots, unpruned.peakKVSlots)
        // Arbor computes every token once, tool results included ...
        XCTAssertEqual(arbor.modelTokens, arbor.promptTokens + arbor.treeTokens)
        XCTAssertEqual(unpruned.modelTokens, unpruned.promptTokens + unpruned.treeTokens)
        // ... while the agent loop prefills the prompt and the tree so far again after each
        // of the two results.
        XCTAssertGreaterThan(loop.modelTokens, loop.promptTokens + loop.treeTokens + 2 * loop.promptTokens)
        // A re-prefilled cache equals the one built token by token, so greedy decoding writes
        // the same tree as the unpruned single pass.
        XCTAssertEqual(loop.treeTokens, unpruned.treeTokens)
        XCTAssertEqual(loop.generatedTokens, unpruned.generatedTokens)
    }

    func testMoreToolCallsThanTasksIsRefused() async throws {
        let (file, tokenizer, template) = try BenchFixtures.loadModel()
        let model = try Transformer(file: file, threads: 2, contextSlots: 512)
        let bench = ToolLoopBenchmark(model: model, tokenizer: tokenizer, chatTemplate: template, maxTasks: 4)
        do {
            _ = try await bench.run(toolCalls: 3, tasks: 2, mode: .arbor)
            XCTFail("3 tool calls in 2 tasks ran")
        } catch let error as ToolLoopBenchmarkError {
            XCTAssertTrue(error.description.contains("no more tool calls than tasks"), error.description)
        }
    }
}
