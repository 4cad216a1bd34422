import CArborKernels

/// Every buffer one forward step needs, allocated once for `maxBatch` tokens so the
/// per-token path allocates nothing.
final class ForwardScratch {
    let maxBatch: Int
    let x: UnsafeMutablePointer<Float>      // [maxBatch][dim] residual stream
    let xb: UnsafeMutablePointer<Float>     // [maxBatch][dim] normalised input
    let q: UnsafeMutablePointer<Float>      // [maxBatch][qDim]
    let k: UnsafeMutablePointer<Float>      // [maxBatch][kvDim]
    let v: UnsafeMutablePointer<Float>      // [maxBatch][kvDim]
    let att: UnsafeMutablePointer<Float>    // [maxBatch][qDim] attention output
    let proj: UnsafeMutablePointer<Float>   // [maxBatch][dim] attention / FFN projection
    let gate: UnsafeMutablePointer<Float>   // [maxBatch][ffnDim]
    let up: UnsafeMutablePointer<Float>     // [maxBatch][ffnDim]
    let act: UnsafeMutableRawPointer        // [maxBatch][actStride] quantised activations
    let actStride: Int
    let logits: UnsafeMutablePointer<Float> // [vocab]
    let visible: UnsafeMutablePointer<Int32> // [maxBatch] slots each query attends to
    let rope: UnsafeMutablePointer<Float>   // [ropeDims] cos/sin table of one position
    let tokens: UnsafeMutablePointer<Int32>    // [maxBatch] tokens of the step
    let positions: UnsafeMutablePointer<Int32> // [maxBatch] their positions
    let slots: UnsafeMutablePointer<Int32>     // [maxBatch] their KV slots
    let parts: UnsafeMutablePointer<arbor_matmul_part> // [ARBOR_MATMUL_MAX_PARTS] a fused matmul's matrices

    /// Which input the activation buffer currently holds, to quantise once per input.
    var actSource: UnsafePointer<Float>?
    var actType: Int32 = -1
    var actCount = 0

    init(config c: ModelConfig, maxBatch: Int) {
        self.maxBatch = maxBatch
        func floats(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
            p.initialize(repeating: 0, count: max(n, 1))
            return p
        }
        x = floats(maxBatch * c.dim)
        xb = floats(maxBatch * c.dim)
        q = floats(maxBatch * c.qDim)
        k = floats(maxBatch * c.kvDim)
        v = floats(maxBatch * c.kvDim)
        att = floats(maxBatch * c.qDim)
        proj = floats(maxBatch * c.dim)
        gate = floats(maxBatch * c.ffnDim)
        up = floats(maxBatch * c.ffnDim)
        // The widest row any activation type needs: f32 of the widest input, padded to 64 bytes.
        let widest = max(c.dim, c.ffnDim, c.qDim)
        actStride = (widest * 4 + 63) / 64 * 64
        act = .allocate(byteCount: maxBatch * actStride, alignment: 64)
        logits = floats(c.vocabularySize)
        visible = .allocate(capacity: maxBatch)
        visible.initialize(repeating: 0, count: maxBatch)
        rope = floats(c.ropeDims)
        func ints(_ n: Int) -> UnsafeMutablePointer<Int32> {
            let p = UnsafeMutablePointer<Int32>.allocate(capacity: n)
            p.initialize(repeating: 0, count: n)
            return p
        }
        tokens = ints(maxBatch)
        positions = ints(maxBatch)
        slots = ints(maxBatch)
        parts = .allocate(capacity: Int(ARBOR_MATMUL_MAX_PARTS))
        parts.initialize(repeating: arbor_matmul_part(), count: Int(ARBOR_MATMUL_MAX_PARTS))
    }

    deinit {
        for p in [x, xb, q, k, v, att, proj, gate, up, logits, rope] { p.deallocate() }
        act.deallocate()
        for p in [visible, tokens, positions, slots] { p.deallocate() }
        parts.deallocate()
    }

    /// Quantises `n` rows of `cols` floats at `src` into the activation buffer for `type`,
    /// unless it already holds exactly that.
    func quantize(_ src: UnsafePointer<Float>, rows n: Int, cols: Int, type: Int32) {
        if actSource == src && actType == type && actCount == n { return }
        for t in 0..<n { arbor_quantize_row(type, src + t * cols, act + t * actStride, Int64(cols)) }
        actSource = src
        actType = type
        actCount = n
    }

    /// Marks the activation buffer stale (its source was overwritten).
    func invalidate() { actSource = nil }
}
