import ArborModel
import ArborTestSupport
import CArborKernels
import XCTest

/// Resume-after-kill needs the same tokens whatever the thread count and however the
/// prompt was fed; these check it on the real default model, bit for bit.
final class DeterminismTests: XCTestCase {
    func testThreadCountAndPrefillBatchingGiveIdenticalLogitsAndTokens() throws {
        let file = try GGUFFile(path: try ModelFiles.defaultModelPath())
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

    /// The prefill kernels that dot a weight row with four or eight tokens at once must leave
    /// every logit as one dot call per output leaves it, on both shipped models' weight types
    /// (Q4_1; Q5_0, Q8_0, Q4_K and Q6_K in Qwen2.5 Q4_K_M).
    func testMultiTokenPrefillKernelsGiveTheLogitsOfOneDotPerOutput() throws {
        defer { arbor_set_multi_token(1) }
        var paths = [try ModelFiles.defaultModelPath()]
        if let qwen = ModelFiles.qwenModelPath() { paths.append(qwen) }
        for path in paths {
            let file = try GGUFFile(path: path)
            // 45 tokens: five eight-token groups, a four-token group and a single one per batch
            let prompt = (0..<45).map { Int32(($0 * 7919 + 13) % 5000) }
            var logits: [[Float]] = []
            for on: Int32 in [0, 1] {
                arbor_set_multi_token(on)
                let model = try Transformer(file: file, threads: 2, contextSlots: 64, maxBatch: 64)
                _ = try model.prefill(tokens: prompt, positions: (0..<Int32(prompt.count)).map { $0 })
                logits.append(Array(model.logits))
            }
            XCTAssertTrue(logits[0] == logits[1], "\(path): multi-token kernels changed the logits")
        }
    }
}

