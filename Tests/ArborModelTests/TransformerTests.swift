import ArborModel
import XCTest

/// Structural checks of the forward pass on tiny random models of every architecture.
final class TransformerTests: XCTestCase {
    let prompt: [Int32] = [5, 17, 3, 88, 42, 42, 7, 60, 1, 95, 33, 12, 8, 71, 19, 2, 50, 64, 9, 30]

    func testBatchedPrefillGivesTheSameLogitsAsTokenByTokenForEveryArchitecture() throws {
        for arch in ModelConfig.Architecture.allCases {
            let tiny = TinyModel(architecture: arch)
            let batched = try tiny.makeTransformer(maxBatch: 7) // 20 tokens: chunks of 7, 7, 6
            _ = try batched.prefill(tokens: prompt, positions: (0..<Int32(prompt.count)).map { $0 })
            let single = try tiny.makeTransformer()
            for (i, t) in prompt.enumerated() { _ = try single.decode(token: t, position: Int32(i)) }
            XCTAssertEqual(Array(batched.logits), Array(single.logits), "\(arch)")
            XCTAssertTrue(batched.logits.allSatisfy { $0.isFinite }, "\(arch)")
        }
    }

    func testThreadCountDoesNotChangeLogits() throws {
        let tiny = TinyModel(architecture: .qwen2)
        var results: [[Float]] = []
        for threads in [1, 2, 3] {
            let model = try tiny.makeTransformer(threads: threads)
            _ = try model.prefill(tokens: prompt, positions: (0..<Int32(prompt.count)).map { $0 })
            _ = try model.decode(token: 4, position: Int32(prompt.count))
            results.append(Array(model.logits))
        }
        XCTAssertEqual(results[0], results[1])
        XCTAssertEqual(results[0], results[2])
    }

    func testArchitectureBranchesChangeTheOutput() throws {
        // The same seed gives the same shared weights; biases (qwen2) and q/k norms (qwen3)
        // must each make a difference, and so must an untied output matrix.
        func logits(_ tiny: TinyModel) throws -> [Float] {
            let model = try tiny.makeTransformer()
            _ = try model.prefill(tokens: Array(prompt.prefix(6)), positions: (0..<6).map { $0 })
            return Array(model.logits)
        }
        let llama = try logits(TinyModel(architecture: .llama))
        XCTAssertNotEqual(llama, try logits(TinyModel(architecture: .qwen2)))
        XCTAssertNotEqual(llama, try logits(TinyModel(architecture: .qwen3)))
        XCTAssertNotEqual(llama, try logits(TinyModel(architecture: .llama, tiedOutput: false)))
    }

    func testMissingTensorIsAClearError() throws {
        let tiny = TinyModel(architecture: .qwen3)
        XCTAssertThrowsError(try Transformer(config: tiny.config, tensor: { $0 == "blk.1.attn_k_norm.weight" ? nil : tiny.tensors[$0] },
                                             weightOwner: tiny.storage)) { error in
            XCTAssertEqual(error as? ModelError, .missingTensor(name: "blk.1.attn_k_norm.weight"))
            XCTAssertTrue("\(error)".contains("blk.1.attn_k_norm.weight"))
        }
    }

    func testOutOfVocabularyTokenAndFullCacheAreErrors() throws {
        let model = try TinyModel(architecture: .llama).makeTransformer()
        XCTAssertThrowsError(try model.decode(token: 96, position: 0)) {
            XCTAssertEqual($0 as? ModelError, .tokenOutOfRange(token: 96, vocabularySize: 96))
        }
        XCTAssertThrowsError(try model.prefill(tokens: Array(repeating: 1, count: 65), positions: (0..<65).map { $0 })) {
            XCTAssertEqual($0 as? ModelError, .cacheFull(capacity: 64))
        }
        XCTAssertThrowsError(try model.prefill(tokens: [1, 2], positions: [0])) {
            XCTAssertEqual($0 as? ModelError, .positionsMismatch(tokens: 2, positions: 1))
        }
    }

    func testConfigValidationNamesTheBadKey() {
        var config = TinyModel(architecture: .llama).config
        config.nKVHead = 3
        XCTAssertThrowsError(try config.validate()) { error in
            guard case .invalidMetadata(let key, _)? = error as? ModelError else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "llama.attention.head_count_kv")
        }
    }

    func testConfigReadsArchitectureKeys() throws {
        let values: [String: ModelConfig.MetadataValue] = [
            "general.architecture": .string("qwen3"), "qwen3.block_count": .int(2), "qwen3.embedding_length": .int(64),
            "qwen3.feed_forward_length": .int(128), "qwen3.attention.head_count": .int(4),
            "qwen3.attention.head_count_kv": .int(2), "qwen3.attention.key_length": .int(32),
            "qwen3.attention.layer_norm_rms_epsilon": .float(1e-6), "qwen3.rope.freq_base": .float(1_000_000),
            "qwen3.context_length": .int(4096),
        ]
        let config = try ModelConfig(metadata: { values[$0] }, vocabularySize: 100)
        XCTAssertEqual(config.architecture, .qwen3)
        XCTAssertEqual(config.headDim, 32) // key_length, not dim / heads
        XCTAssertEqual(config.qDim, 128)
        XCTAssertTrue(config.hasQKNorm && config.ropeIsNeoX && !config.hasQKVBias)
        XCTAssertEqual(config.vocabularySize, 100)
        XCTAssertThrowsError(try ModelConfig(metadata: { $0 == "general.architecture" ? .string("gpt2") : nil }, vocabularySize: 1)) {
            XCTAssertEqual($0 as? ModelError, .unsupportedArchitecture("gpt2"))
        }
    }
}
