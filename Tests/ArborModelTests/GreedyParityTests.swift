import ArborModel
import XCTest

/// Greedy continuations must equal llama.cpp's token for token (prompt ids are used
/// directly, so the tokenizer is not under test here).
final class GreedyParityTests: XCTestCase {
    func testDefaultModelGreedyMatchesLlamaCppOnEveryReferenceLine() throws {
        let file = try GGUFFile(path: try TestModels.defaultModelPath())
        let model = try Transformer(file: file, threads: 2, contextSlots: 256)
        let stop = EndOfGeneration.tokens(in: file)
        for (i, c) in try TestModels.greedyCases("greedy.jsonl").enumerated() {
            let out = try TestModels.greedy(model, prompt: c.prompt_ids, n: c.n, stop: stop)
            XCTAssertEqual(out, c.output_ids, "line \(i + 1): \(c.prompt.debugDescription)")
        }
    }

    func testQwen2GreedyMatchesLlamaCppWhenTheModelIsPresent() throws {
        guard let path = TestModels.qwenModelPath() else {
            throw XCTSkip("Qwen2.5 model not present (optional; set ARBOR_QWEN_MODEL)")
        }
        let file = try GGUFFile(path: path)
        let model = try Transformer(file: file, threads: 2, contextSlots: 128)
        let stop = EndOfGeneration.tokens(in: file)
        for (i, c) in try TestModels.greedyCases("qwen2-greedy.jsonl").enumerated() {
            let out = try TestModels.greedy(model, prompt: c.prompt_ids, n: c.n, stop: stop)
            XCTAssertEqual(out, c.output_ids, "line \(i + 1): \(c.prompt.debugDescription)")
        }
    }
}
