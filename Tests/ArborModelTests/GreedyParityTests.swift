import ArborModel
import XCTest

/// Greedy continuations must equal llama.cpp's token for token (prompt ids are used
/// directly, so the tokenizer is not under test here). See Fixtures/README.md for where
/// each reference comes from.
final class GreedyParityTests: XCTestCase {
    func testDefaultModelGreedyMatchesLlamaCppLibraryOnEveryLine() throws {
        let file = try GGUFFile(path: try TestModels.defaultModelPath())
        let model = try Transformer(file: file, threads: 2, contextSlots: 256)
        let stop = try BPETokenizer(gguf: file).endOfGenerationIDs
        for (i, c) in try TestModels.greedyCases("greedy-llama-lib.jsonl").enumerated() {
            let out = try TestModels.greedy(model, prompt: c.prompt_ids, n: c.n, stop: stop)
            XCTAssertEqual(out, c.output_ids, "line \(i + 1): \(c.prompt.debugDescription)")
        }
    }

    /// llama-server rebuilt here from the same vendored source (defaults: 4 slots, unified
    /// KV cache, n_ctx 8192, 2 threads; prompt ids, temperature 0, top_k 1, no prompt cache,
    /// requests one after another) gives the library's tokens on all 8 lines, so the
    /// shared reference's departures on lines 1, 2, 4 and 6 are not reproducible on this
    /// machine with this build. See Fixtures/README.md.
    func testDefaultModelGreedyMatchesLlamaServerRebuiltOnThisMachine() throws {
        let file = try GGUFFile(path: try TestModels.defaultModelPath())
        let model = try Transformer(file: file, threads: 2, contextSlots: 256)
        let stop = try BPETokenizer(gguf: file).endOfGenerationIDs
        for (i, c) in try TestModels.greedyCases("greedy-llama-server-local.jsonl").enumerated() {
            let out = try TestModels.greedy(model, prompt: c.prompt_ids, n: c.n, stop: stop)
            XCTAssertEqual(out, c.output_ids, "line \(i + 1): \(c.prompt.debugDescription)")
        }
    }

    /// The server reference: equal wherever the two llama.cpp runs (server and library)
    /// agree, which is the whole output on 4 of the 8 lines.
    func testDefaultModelGreedyMatchesLlamaServerWhereLlamaCppAgreesWithItself() throws {
        let file = try GGUFFile(path: try TestModels.defaultModelPath())
        let model = try Transformer(file: file, threads: 2, contextSlots: 256)
        let stop = try BPETokenizer(gguf: file).endOfGenerationIDs
        let server = try TestModels.greedyCases("greedy.jsonl")
        let library = try TestModels.greedyCases("greedy-llama-lib.jsonl")
        var fullyEqual = 0
        for (i, (s, l)) in zip(server, library).enumerated() {
            XCTAssertEqual(s.prompt_ids, l.prompt_ids)
            let out = try TestModels.greedy(model, prompt: s.prompt_ids, n: s.n, stop: stop)
            let agreed = zip(s.output_ids, l.output_ids).prefix { $0 == $1 }.count
            XCTAssertEqual(Array(out.prefix(agreed)), Array(s.output_ids.prefix(agreed)), "line \(i + 1)")
            if out == s.output_ids { fullyEqual += 1 }
        }
        XCTAssertEqual(fullyEqual, 4, "lines equal to the server reference from start to end")
    }

    func testQwen2GreedyMatchesLlamaCppWhenTheModelIsPresent() throws {
        guard let path = TestModels.qwenModelPath() else {
            throw XCTSkip("Qwen2.5 model not present (optional; set ARBOR_QWEN_MODEL)")
        }
        let file = try GGUFFile(path: path)
        let model = try Transformer(file: file, threads: 2, contextSlots: 128)
        let stop = try BPETokenizer(gguf: file).endOfGenerationIDs
        for (i, c) in try TestModels.greedyCases("qwen2-greedy.jsonl").enumerated() {
            let out = try TestModels.greedy(model, prompt: c.prompt_ids, n: c.n, stop: stop)
            XCTAssertEqual(out, c.output_ids, "line \(i + 1): \(c.prompt.debugDescription)")
        }
    }
}
