import ArborModel
import ArborTestSupport
import XCTest

/// Greedy continuations must equal llama.cpp's token for token (prompt ids are used
/// directly, so the tokenizer is not under test here). See Fixtures/README.md for where
/// each reference comes from.
final class GreedyParityTests: XCTestCase {
    override func tearDown() { LlamaCppNumerics.reset() }

    private func assertGreedyParity(_ fixture: String, numerics: LlamaCppNumerics, modelPath: String,
                                    contextSlots: Int = 256, file: StaticString = #filePath, line: UInt = #line) throws {
        LlamaCppNumerics.current = numerics
        let gguf = try GGUFFile(path: modelPath)
        let model = try Transformer(file: gguf, threads: 2, contextSlots: contextSlots)
        let stop = try BPETokenizer(gguf: gguf).endOfGenerationIDs
        let cases = try TestModels.greedyCases(fixture)
        XCTAssertGreaterThan(cases.count, 0, file: file, line: line)
        for (i, c) in cases.enumerated() {
            let out = try TestModels.greedy(model, prompt: c.prompt_ids, n: c.n, stop: stop)
            XCTAssertEqual(out, c.output_ids, "\(fixture) line \(i + 1) (\(numerics)): \(c.prompt.debugDescription)",
                           file: file, line: line)
        }
    }

    /// The shared reference (llama-server on an AVX-512 machine of this kind): every line.
    func testDefaultModelGreedyMatchesTheSharedReferenceWithAvx512Numerics() throws {
        try assertGreedyParity("greedy.jsonl", numerics: .avx512, modelPath: try ModelFiles.defaultModelPath())
    }

    /// The llama.cpp library built here for AVX2: every line.
    func testDefaultModelGreedyMatchesLlamaCppLibraryBuiltForAvx2() throws {
        try assertGreedyParity("greedy-llama-lib.jsonl", numerics: .avx2, modelPath: try ModelFiles.defaultModelPath())
    }

    /// llama-server rebuilt here for AVX2 (defaults: 4 slots, unified KV cache, n_ctx 8192,
    /// 2 threads; prompt ids, temperature 0, top_k 1, no prompt cache): every line.
    func testDefaultModelGreedyMatchesLlamaServerBuiltForAvx2() throws {
        try assertGreedyParity("greedy-llama-server-local.jsonl", numerics: .avx2, modelPath: try ModelFiles.defaultModelPath())
    }

    /// The two builds' outputs part on 4 of the 8 lines; each variant must give its own.
    func testTheTwoReferencesDifferSoTheVariantsAreBothNeeded() throws {
        let server = try TestModels.greedyCases("greedy.jsonl"), library = try TestModels.greedyCases("greedy-llama-lib.jsonl")
        XCTAssertEqual(server.map(\.prompt_ids), library.map(\.prompt_ids))
        XCTAssertEqual(zip(server, library).filter { $0.output_ids != $1.output_ids }.count, 4)
    }

    func testQwen2GreedyMatchesLlamaCppWhenTheModelIsPresent() throws {
        guard let path = ModelFiles.qwenModelPath() else {
            throw XCTSkip("Qwen2.5 model not present (optional; set ARBOR_QWEN_MODEL)")
        }
        try assertGreedyParity("qwen2-greedy.jsonl", numerics: .avx512, modelPath: path, contextSlots: 128)
    }
}
