import ArborModel
import CArborKernels
import Foundation

/// A small random transformer held in memory, for fast structural tests of every
/// architecture branch (Qwen2 biases, Qwen3 q/k norm, tied output).
final class TinyModel {
    /// Owns the tensor bytes the views point into.
    final class Storage {
        var buffers: [UnsafeMutableRawPointer] = []
        deinit { buffers.forEach { $0.deallocate() } }
    }

    let config: ModelConfig
    let storage = Storage()
    private(set) var tensors: [String: TensorView] = [:]
    private var rng: UInt64

    init(architecture: ModelConfig.Architecture, layers: Int = 2, seed: UInt64 = 1, tiedOutput: Bool = true) {
        config = ModelConfig(architecture: architecture, nLayer: layers, dim: 64, ffnDim: 128, nHead: 4, nKVHead: 2,
                             headDim: 16, normEps: 1e-5, ropeBase: 10000, contextLength: 64, vocabularySize: 96)
        rng = seed
        let c = config
        matrix("token_embd.weight", rows: c.vocabularySize, cols: c.dim, scale: 1)
        if !tiedOutput { matrix("output.weight", rows: c.vocabularySize, cols: c.dim, scale: 0.3) }
        vector("output_norm.weight", c.dim, around: 1)
        for i in 0..<layers {
            let p = "blk.\(i)."
            vector(p + "attn_norm.weight", c.dim, around: 1)
            vector(p + "ffn_norm.weight", c.dim, around: 1)
            matrix(p + "attn_q.weight", rows: c.qDim, cols: c.dim, scale: 0.3)
            matrix(p + "attn_k.weight", rows: c.kvDim, cols: c.dim, scale: 0.3)
            matrix(p + "attn_v.weight", rows: c.kvDim, cols: c.dim, scale: 0.3)
            matrix(p + "attn_output.weight", rows: c.dim, cols: c.qDim, scale: 0.3)
            matrix(p + "ffn_gate.weight", rows: c.ffnDim, cols: c.dim, scale: 0.3)
            matrix(p + "ffn_up.weight", rows: c.ffnDim, cols: c.dim, scale: 0.3)
            matrix(p + "ffn_down.weight", rows: c.dim, cols: c.ffnDim, scale: 0.3)
            if architecture == .qwen2 {
                vector(p + "attn_q.bias", c.qDim, around: 0)
                vector(p + "attn_k.bias", c.kvDim, around: 0)
                vector(p + "attn_v.bias", c.kvDim, around: 0)
            }
            if architecture == .qwen3 {
                vector(p + "attn_q_norm.weight", c.headDim, around: 1)
                vector(p + "attn_k_norm.weight", c.headDim, around: 1)
            }
        }
    }

    func makeTransformer(threads: Int = 1, maxBatch: Int = 32) throws -> Transformer {
        try Transformer(config: config, tensor: { self.tensors[$0] }, weightOwner: storage,
                        threads: threads, contextSlots: 64, maxBatch: maxBatch)
    }

    private func random() -> Float {
        rng &+= 0x9E37_79B9_7F4A_7C15
        var z = rng
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) / Float(1 << 24) * 2 - 1
    }

    /// A Q8_0 matrix [rows][cols] of random values in ±scale.
    private func matrix(_ name: String, rows: Int, cols: Int, scale: Float) {
        let type = Int32(ARBOR_TYPE_Q8_0.rawValue)
        let rowBytes = arbor_row_bytes(type, Int64(cols))
        let data = UnsafeMutableRawPointer.allocate(byteCount: rows * rowBytes, alignment: 64)
        storage.buffers.append(data)
        var row = [Float](repeating: 0, count: cols)
        for r in 0..<rows {
            for i in 0..<cols { row[i] = random() * scale }
            arbor_quantize_row_q8_0(row, data + r * rowBytes, Int64(cols))
        }
        tensors[name] = TensorView(name: name, type: type, shape: [cols, rows], data: data)
    }

    /// An F32 vector of values around `around` (±0.2).
    private func vector(_ name: String, _ n: Int, around: Float) {
        let data = UnsafeMutableRawPointer.allocate(byteCount: n * 4, alignment: 64)
        storage.buffers.append(data)
        let f = data.bindMemory(to: Float.self, capacity: n)
        for i in 0..<n { f[i] = around + random() * 0.2 }
        tensors[name] = TensorView(name: name, type: Int32(ARBOR_TYPE_F32.rawValue), shape: [n], data: data)
    }
}
