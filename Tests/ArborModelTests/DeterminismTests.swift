import ArborModel
import XCTest

/// Resume-after-kill needs the same tokens whatever the thread count and however the
/// prompt was fed; these check it on the real default model, bit for bit.
final class DeterminismTests: XCTestCase {
    func testThreadCountAndPrefillBatchingGiveIdenticalLogitsAndTokens() throws {
        let file = try GGUFFile(path: try TestModels.defaultModelPath())
        let prompt = try TestModels.greedyCases("greedy.jsonl")[3].prompt_ids
        var runs: [(tokens: [Int32], logits: [Float])] = []
        for (threads, oneByOne, maxBatch) in [(1, false, 32), (2, true, 32), (2, false, 5)] {
            let model = try Transformer(file: file, threads: threads, contextSlots: 64, maxBatch: maxBatch)
            let tokens = try TestModels.greedy(model, prompt: prompt, n: 12, stop: [], oneByOne: oneByOne)
            runs.append((tokens, Array(model.logits)))
        }
        XCTAssertEqual(runs[0].tokens, runs[1].tokens)
        XCTAssertEqual(runs[0].tokens, runs[2].tokens)
        XCTAssertTrue(runs[0].logits == runs[1].logits, "1 thread batched vs 2 threads token by token")
        XCTAssertTrue(runs[0].logits == runs[2].logits, "one batch vs chunks of 5")
    }
}
