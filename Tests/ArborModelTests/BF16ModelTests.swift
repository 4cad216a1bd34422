import ArborModel
import CArborKernels
import XCTest

/// A model stored in BF16 runs end to end (embedding lookup by dequantisation, every matmul
/// through the BF16 dot) and agrees with the same weights stored as F32.
final class BF16ModelTests: XCTestCase {
    override func tearDown() { arbor_set_ggml_lanes(0) }

    let prompt: [Int32] = [5, 17, 3, 88, 42, 42, 7, 60, 1, 95, 33, 12]

    /// BF16 rounds every activation to 8 significant bits before each matmul (F32 weights
    /// dot with F32 activations), so logits differ by that rounding carried through two
    /// layers: bounded here as a fraction of the logits' largest magnitude (about 0.005 is
    /// seen with this seed).
    static let logitTolerance: Float = 0.02

    /// A tiny Llama GGUF whose weights are exactly representable in BF16, with the matrices
    /// (token embedding included) stored as `matrixType` (.bf16 or .f32).
    static func tinyModelImage(matrixType: GGUFTensorType, seed: UInt64 = 3) throws -> [UInt8] {
        let dim = 64, ffn = 128, nHead = 4, nKVHead = 2, headDim = 16, vocab = 96, layers = 2
        var rng = seed
        func random() -> Float {
            rng &+= 0x9E37_79B9_7F4A_7C15
            var z = rng
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Float(z >> 40) / Float(1 << 24) * 2 - 1
        }
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        for (key, value) in [("block_count", layers), ("embedding_length", dim), ("feed_forward_length", ffn),
                             ("attention.head_count", nHead), ("attention.head_count_kv", nKVHead),
                             ("context_length", 64), ("vocab_size", vocab)] {
            writer.set("llama.\(key)", .uint32(UInt32(value)))
        }
        writer.set("llama.attention.layer_norm_rms_epsilon", .float32(1e-5))
        // [rows][cols], values in ±scale truncated to BF16 so both files hold the same numbers
        func matrix(_ name: String, rows: Int, cols: Int, scale: Float) throws {
            let halves = (0..<(rows * cols)).map { _ in UInt16((random() * scale).bitPattern >> 16) }
            var bytes = [UInt8]()
            if matrixType == .bf16 {
                for h in halves { bytes += [UInt8(h & 0xFF), UInt8(h >> 8)] }
            } else {
                for h in halves {
                    let u = UInt32(h) << 16
                    bytes += [0, 0, UInt8(u >> 16 & 0xFF), UInt8(u >> 24)]
                }
            }
            try writer.addTensor(name: name, type: matrixType, dimensions: [cols, rows], bytes: bytes)
        }
        func vector(_ name: String, _ n: Int) throws {
            try writer.addTensor(name: name, dimensions: [n], floats: (0..<n).map { _ in 1 + random() * 0.2 })
        }
        try matrix("token_embd.weight", rows: vocab, cols: dim, scale: 1)
        try vector("output_norm.weight", dim)
        for i in 0..<layers {
            let p = "blk.\(i)."
            try vector(p + "attn_norm.weight", dim)
            try vector(p + "ffn_norm.weight", dim)
            try matrix(p + "attn_q.weight", rows: nHead * headDim, cols: dim, scale: 0.3)
            try matrix(p + "attn_k.weight", rows: nKVHead * headDim, cols: dim, scale: 0.3)
            try matrix(p + "attn_v.weight", rows: nKVHead * headDim, cols: dim, scale: 0.3)
            try matrix(p + "attn_output.weight", rows: dim, cols: nHead * headDim, scale: 0.3)
            try matrix(p + "ffn_gate.weight", rows: ffn, cols: dim, scale: 0.3)
            try matrix(p + "ffn_up.weight", rows: ffn, cols: dim, scale: 0.3)
            try matrix(p + "ffn_down.weight", rows: dim, cols: ffn, scale: 0.3)
        }
        return writer.bytes()
    }

    private func logitsAfterPrompt(_ file: GGUFFile, maxBatch: Int = 32) throws -> [Float] {
        let model = try Transformer(file: file, threads: 2, contextSlots: 64, maxBatch: maxBatch)
        _ = try model.prefill(tokens: prompt, positions: (0..<Int32(prompt.count)).map { $0 })
        return Array(model.logits)
    }

    func testBF16WeightsGiveTheLogitsOfTheSameWeightsInF32() throws {
        let bf16 = try GGUFFile(bytes: Self.tinyModelImage(matrixType: .bf16))
        let f32 = try GGUFFile(bytes: Self.tinyModelImage(matrixType: .f32))
        XCTAssertEqual(bf16.tensors.filter { $0.type == .bf16 }.count, 1 + 2 * 7)
        for lanes: Int32 in [8, 16] {
            arbor_set_ggml_lanes(lanes)
            let expected = try logitsAfterPrompt(f32), got = try logitsAfterPrompt(bf16)
            let scale = expected.map(abs).max() ?? 0
            XCTAssertGreaterThan(scale, 0.1, "a model whose logits are all near zero would prove nothing")
            XCTAssertTrue(got.allSatisfy(\.isFinite))
            let worst = zip(got, expected).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, Self.logitTolerance * scale, "lanes \(lanes)")
            XCTAssertNotEqual(got, expected, "BF16 activations round; equal logits would mean the BF16 path did not run")
        }
    }

    func testBF16ModelGivesTheSameLogitsBatchedAndTokenByToken() throws {
        let file = try GGUFFile(bytes: Self.tinyModelImage(matrixType: .bf16))
        let batched = try logitsAfterPrompt(file, maxBatch: 5) // 12 tokens: chunks of 5, 5, 2
        let single = try Transformer(file: file, threads: 1, contextSlots: 64, maxBatch: 1)
        for (i, t) in prompt.enumerated() { _ = try single.decode(token: t, position: Int32(i)) }
        XCTAssertEqual(batched, Array(single.logits))
    }
}
