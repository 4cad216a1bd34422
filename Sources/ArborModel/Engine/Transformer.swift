import CArborKernels

/// A Llama / Qwen2 / Qwen3 transformer running on the CPU kernels, with its KV slot pool.
///
/// Every token's numbers are computed by the same kernels in the same order whether it
/// arrives in a batch or alone, and whatever the thread count (work is split by output
/// rows), so greedy decoding is reproducible — resume-after-kill depends on it.
///
/// ```swift
/// let model = try Transformer(file: gguf, threads: 2)
/// _ = try model.prefill(tokens: prompt, positions: (0..<Int32(prompt.count)).map { $0 })
/// let next = Sampler(settings: .greedy).sample(model.logits)
/// ```
public final class Transformer: KVRowTransfer, @unchecked Sendable {
    // @unchecked: owns raw buffers and a thread pool; used from one thread at a time.
    public let config: ModelConfig
    public let cache: KVSlotPool
    public let threads: Int
    /// The pool's sequence (its cells' ledger is the only one).
    public var sequenceSlots: [Int32] { cache.cells.sequence }
    public var vocabularySize: Int { config.vocabularySize }
    public var logits: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: scratch.logits, count: config.vocabularySize)
    }

    private let weights: TransformerWeights
    private let scratch: ForwardScratch
    private let pool: OpaquePointer
    /// Keeps the memory the weight views point into (the mapped file) alive.
    private let weightOwner: AnyObject?

    /// Builds a model over weight views.
    /// - Parameters:
    ///   - tensor: looks a tensor up by its GGUF name.
    ///   - weightOwner: the object owning the memory the views point into.
    ///   - contextSlots: KV pool capacity in tokens (default: the model's context length).
    ///   - maxBatch: tokens per forward step; longer prefills run in chunks of this size.
    public init(config: ModelConfig, tensor: (String) -> TensorView?, weightOwner: AnyObject?,
                threads: Int = 2, contextSlots: Int? = nil, maxBatch: Int = 32) throws {
        try config.validate()
        self.config = config
        self.weights = try TransformerWeights(config: config, tensor: tensor)
        self.weightOwner = weightOwner
        self.threads = max(1, threads)
        guard let pool = arbor_pool_create(Int32(self.threads)) else { throw ModelError.threadPool(threads: threads) }
        self.pool = pool
        let slots = contextSlots ?? config.contextLength
        cache = KVSlotPool(config: config, capacity: slots)
        scratch = ForwardScratch(config: config, maxBatch: max(1, maxBatch))
    }

    deinit { arbor_pool_destroy(pool) }

    /// Feeds one token. Allocates nothing: the per-token path runs on preallocated scratch.
    public func decode(token: Int32, position: Int32) throws -> Int32 {
        try check(token)
        let slot = try cache.allocate(position: position)
        scratch.tokens[0] = token
        scratch.positions[0] = position
        scratch.slots[0] = slot
        forward(count: 1, computeLogits: true)
        return slot
    }

    public func prefill(tokens: [Int32], positions: [Int32]) throws -> [Int32] {
        guard tokens.count == positions.count else {
            throw ModelError.positionsMismatch(tokens: tokens.count, positions: positions.count)
        }
        for t in tokens { try check(t) }
        guard cache.freeCount >= tokens.count else { throw ModelError.cacheFull(capacity: cache.capacity) }
        var slots: [Int32] = []
        slots.reserveCapacity(tokens.count)
        var start = 0
        while start < tokens.count {
            let end = min(start + scratch.maxBatch, tokens.count)
            for i in start..<end {
                let slot = try cache.allocate(position: positions[i])
                slots.append(slot)
                scratch.tokens[i - start] = tokens[i]
                scratch.positions[i - start] = positions[i]
                scratch.slots[i - start] = slot
            }
            forward(count: end - start, computeLogits: end == tokens.count)
            start = end
        }
        return slots
    }

    private func check(_ token: Int32) throws {
        if token < 0 || Int(token) >= config.vocabularySize {
            throw ModelError.tokenOutOfRange(token: token, vocabularySize: config.vocabularySize)
        }
    }

    @discardableResult
    public func free(slots: [Int32]) -> Int { cache.free(slots) }

    public func reposition(slots: [Int32], delta: Int32) {
        cache.reposition(slots, delta: delta)
    }

    public var kvRowByteCount: Int { 2 * cache.nLayer * cache.kvDim * MemoryLayout<UInt16>.size }

    public func copyRows(of slots: [Int32]) -> [UInt8] {
        let half = cache.kvDim * MemoryLayout<UInt16>.size
        cache.applyPendingShifts()
        var out = [UInt8](repeating: 0, count: slots.count * kvRowByteCount)
        out.withUnsafeMutableBytes { raw in
            var at = raw.baseAddress!
            for slot in slots {
                for layer in 0..<cache.nLayer {
                    at.copyMemory(from: cache.keyRow(layer: layer, slot: slot), byteCount: half)
                    at.advanced(by: half).copyMemory(from: cache.valueRow(layer: layer, slot: slot), byteCount: half)
                    at += 2 * half
                }
            }
        }
        return out
    }

    public func appendUncomputed(positions: [Int32]) throws -> [Int32] {
        guard cache.freeCount >= positions.count else { throw ModelError.cacheFull(capacity: cache.capacity) }
        return try positions.map { try cache.allocate(position: $0) }
    }

    public func writeRow(_ row: UnsafeRawBufferPointer, slot: Int32) throws {
        guard row.count == kvRowByteCount else {
            throw ModelError.kvRowsMismatch(bytes: row.count, tokens: 1, rowBytes: kvRowByteCount)
        }
        cache.applyPendingShifts()  // rotations queued before the write belong to the row it replaces
        let half = cache.kvDim * MemoryLayout<UInt16>.size
        var at = row.baseAddress!
        for layer in 0..<cache.nLayer {
            UnsafeMutableRawPointer(cache.keyRow(layer: layer, slot: slot)).copyMemory(from: at, byteCount: half)
            UnsafeMutableRawPointer(cache.valueRow(layer: layer, slot: slot)).copyMemory(from: at + half, byteCount: half)
            at += 2 * half
        }
    }

    /// Empties the sequence and frees every slot.
    public func reset() {
        cache.free(sequenceSlots)
    }

    /// One forward step over `n` tokens whose slots are already at the end of the sequence.
    private func forward(count n: Int, computeLogits: Bool) {
        let c = config, s = scratch
        let tokens = s.tokens, positions = s.positions, slots = s.slots
        let dim = c.dim, qDim = c.qDim, kvDim = c.kvDim, hd = c.headDim, ffn = c.ffnDim
        cache.applyPendingShifts()
        let sequence = sequenceSlots
        let firstVisible = sequence.count - n

        // token embeddings -> x [n][dim]
        for t in 0..<n {
            let row = weights.tokenEmbedding.data + Int(tokens[t]) * arbor_row_bytes(weights.tokenEmbedding.type, Int64(dim))
            arbor_dequantize_row(weights.tokenEmbedding.type, row, s.x + t * dim, Int64(dim))
            s.visible[t] = Int32(firstVisible + t + 1)
        }

        for (l, w) in weights.layers.enumerated() {
            // attention: xb = rmsnorm(x); q, k, v = xb · Wq, Wk, Wv (+ biases)
            for t in 0..<n { arbor_rmsnorm(s.xb + t * dim, s.x + t * dim, w.attnNorm, Int64(dim), c.normEps) }
            s.invalidate()
            matmul(s.xb, n, (s.q, w.wq), (s.k, w.wk), (s.v, w.wv))
            for t in 0..<n {
                if let b = w.bq { arbor_add(s.q + t * qDim, b, Int64(qDim)) }
                if let b = w.bk { arbor_add(s.k + t * kvDim, b, Int64(kvDim)) }
                if let b = w.bv { arbor_add(s.v + t * kvDim, b, Int64(kvDim)) }
                if let qn = w.qNorm, let kn = w.kNorm { // qwen3: RMSNorm on every head
                    for h in 0..<c.nHead { arbor_rmsnorm(s.q + t * qDim + h * hd, s.q + t * qDim + h * hd, qn, Int64(hd), c.normEps) }
                    for h in 0..<c.nKVHead { arbor_rmsnorm(s.k + t * kvDim + h * hd, s.k + t * kvDim + h * hd, kn, Int64(hd), c.normEps) }
                }
                // RoPE at the token's position; k and v go to the token's slot as f16
                arbor_rope_table(s.rope, Int64(positions[t]), Int32(c.ropeDims), c.ropeBase)
                let neox: Int32 = c.ropeIsNeoX ? 1 : 0
                arbor_rope_apply(s.q + t * qDim, Int32(c.nHead), Int32(hd), Int32(c.ropeDims), s.rope, neox)
                arbor_rope_apply(s.k + t * kvDim, Int32(c.nKVHead), Int32(hd), Int32(c.ropeDims), s.rope, neox)
                arbor_f32_to_f16_row(s.k + t * kvDim, cache.keyRow(layer: l, slot: slots[t]), Int64(kvDim))
                arbor_f32_to_f16_row(s.v + t * kvDim, cache.valueRow(layer: l, slot: slots[t]), Int64(kvDim))
            }
            // each query attends to the sequence's slots up to and including its own
            sequence.withUnsafeBufferPointer { seq in
                arbor_attention(pool, s.att, s.q, Int64(n), cache.keyLayer(l), cache.valueLayer(l),
                                seq.baseAddress, s.visible, Int32(c.nHead), Int32(c.nKVHead), Int32(hd),
                                1 / Float(hd).squareRoot())
            }
            s.invalidate()
            matmul(s.proj, w.wo, s.att, n)
            for t in 0..<n { arbor_add(s.x + t * dim, s.proj + t * dim, Int64(dim)) }

            // feed-forward: x += (silu(xb · Wgate) * (xb · Wup)) · Wdown
            for t in 0..<n { arbor_rmsnorm(s.xb + t * dim, s.x + t * dim, w.ffnNorm, Int64(dim), c.normEps) }
            s.invalidate()
            matmul(s.xb, n, (s.gate, w.gate), (s.up, w.up))
            for t in 0..<n { arbor_swiglu(s.gate + t * ffn, s.gate + t * ffn, s.up + t * ffn, Int64(ffn)) }
            s.invalidate()
            matmul(s.proj, w.down, s.gate, n)
            for t in 0..<n { arbor_add(s.x + t * dim, s.proj + t * dim, Int64(dim)) }
        }

        // logits of the last token only
        guard computeLogits else { return }
        let last = s.x + (n - 1) * dim
        arbor_rmsnorm(s.xb, last, weights.outputNorm, Int64(dim), c.normEps)
        s.invalidate()
        matmul(s.logits, weights.output, s.xb, 1)
    }

    /// out[t][r] = in[t] · W[r] for t < n, quantising the input rows once per type.
    private func matmul(_ out: UnsafeMutablePointer<Float>, _ w: WeightMatrix, _ input: UnsafeMutablePointer<Float>, _ n: Int) {
        scratch.quantize(input, rows: n, cols: w.cols, type: w.activationType)
        arbor_matmul(pool, out, Int64(w.rows), w.data, w.type, Int64(w.rows), Int64(w.cols),
                     scratch.act, scratch.actStride, Int64(n))
    }

    /// The same for two or three matrices over one input (q, k, v; gate, up): one pool run
    /// when they share an activation type, so the threads meet once. Same numbers either way.
    private func matmul(_ input: UnsafeMutablePointer<Float>, _ n: Int,
                        _ a: (out: UnsafeMutablePointer<Float>, w: WeightMatrix),
                        _ b: (out: UnsafeMutablePointer<Float>, w: WeightMatrix),
                        _ c: (out: UnsafeMutablePointer<Float>, w: WeightMatrix)? = nil) {
        let type = a.w.activationType
        guard b.w.activationType == type, c.map({ $0.w.activationType == type }) ?? true else {
            matmul(a.out, a.w, input, n)
            matmul(b.out, b.w, input, n)
            if let c { matmul(c.out, c.w, input, n) }
            return
        }
        // written into preallocated scratch: no array on the per-token path
        func part(_ target: (out: UnsafeMutablePointer<Float>, w: WeightMatrix)) -> arbor_matmul_part {
            arbor_matmul_part(out: target.out, out_stride: Int64(target.w.rows), w: target.w.data,
                              wtype: target.w.type, n_rows: Int64(target.w.rows))
        }
        scratch.parts[0] = part(a)
        scratch.parts[1] = part(b)
        if let c { scratch.parts[2] = part(c) }
        scratch.quantize(input, rows: n, cols: a.w.cols, type: type)
        arbor_matmul_parts(pool, scratch.parts, c == nil ? 2 : 3, Int64(a.w.cols), scratch.act, scratch.actStride, Int64(n))
    }
}
