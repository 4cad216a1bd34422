import CArborKernels
import XCTest

/// Matmul, RoPE and attention: invariances the runtime's determinism rests on.
final class OpsKernelTests: XCTestCase {
    func testMatmulIsIdenticalForAnyThreadCountAndBatchSize() {
        var rng = TestRNG(state: 3)
        // 11 tokens: two groups for the four-token q4_1 kernel and a remainder of three;
        // 77 rows: four-row groups (q4_1, q8_0) and a remainder of one
        for type in [Int32(ARBOR_TYPE_Q4_1.rawValue), Int32(ARBOR_TYPE_Q8_0.rawValue)] {
            let rows = 77, cols = 32 * 9, tokens = 11
            let w = QuantKernelTests.randomRow(type, elements: rows * cols, rng: &rng)
            let actType = arbor_activation_type(type)
            let stride = arbor_row_bytes(actType, Int64(cols))
            let rowBytes = arbor_row_bytes(type, Int64(cols))
            var act = [UInt8](repeating: 0, count: stride * tokens)
            let x = (0..<(cols * tokens)).map { _ in rng.float() }
            act.withUnsafeMutableBytes { raw in
                for t in 0..<tokens { arbor_quantize_row(actType, Array(x[(t * cols)..<((t + 1) * cols)]), raw.baseAddress! + t * stride, Int64(cols)) }
            }
            func run(threads: Int32, batch: Bool) -> [Float] {
                let pool = arbor_pool_create(threads)
                defer { arbor_pool_destroy(pool) }
                var out = [Float](repeating: 0, count: rows * tokens)
                w.withUnsafeBytes { wp in
                    act.withUnsafeBytes { ap in
                        out.withUnsafeMutableBufferPointer { op in
                            if batch {
                                arbor_matmul(pool, op.baseAddress, Int64(rows), wp.baseAddress, type, Int64(rows), Int64(cols), ap.baseAddress, stride, Int64(tokens))
                            } else {
                                for t in 0..<tokens {
                                    arbor_matmul(pool, op.baseAddress! + t * rows, Int64(rows), wp.baseAddress, type, Int64(rows), Int64(cols), ap.baseAddress! + t * stride, stride, 1)
                                }
                            }
                        }
                    }
                }
                return out
            }
            // every output is the selected single-row dot, whatever kernel grouped it
            let dot = arbor_vec_dot_for(type)!
            let single: [Float] = w.withUnsafeBytes { wp in
                act.withUnsafeBytes { ap in
                    (0..<(rows * tokens)).map { i in dot(Int64(cols), wp.baseAddress! + (i % rows) * rowBytes, ap.baseAddress! + (i / rows) * stride) }
                }
            }
            let base = run(threads: 1, batch: false)
            XCTAssertEqual(base, single, "type \(type)")
            XCTAssertEqual(run(threads: 2, batch: false), base, "type \(type)")
            XCTAssertEqual(run(threads: 3, batch: true), base, "type \(type)")
            XCTAssertEqual(run(threads: 1, batch: true), base, "type \(type)")
            XCTAssertNotEqual(base.reduce(0) { $0 + abs($1) }, 0)
        }
    }

    func testRopeRotationsComposeForBothPairings() {
        var rng = TestRNG(state: 5)
        let headDim = 64
        for neox: Int32 in [0, 1] {
            let x = (0..<(headDim * 2)).map { _ in rng.float() }
            var direct = x, composed = x
            var cs = [Float](repeating: 0, count: headDim)
            arbor_rope_table(&cs, 37, Int32(headDim), 10000)
            arbor_rope_apply(&direct, 2, Int32(headDim), Int32(headDim), cs, neox)
            arbor_rope_table(&cs, 50, Int32(headDim), 10000)
            arbor_rope_apply(&composed, 2, Int32(headDim), Int32(headDim), cs, neox)
            arbor_rope_table(&cs, -13, Int32(headDim), 10000)
            arbor_rope_apply(&composed, 2, Int32(headDim), Int32(headDim), cs, neox)
            for i in 0..<x.count { XCTAssertEqual(direct[i], composed[i], accuracy: 1e-4, "neox \(neox) dim \(i)") }
            // Rotation keeps each pair's norm.
            XCTAssertEqual(direct.reduce(0) { $0 + $1 * $1 }, x.reduce(0) { $0 + $1 * $1 }, accuracy: 1e-3)
        }
    }

    func testAttentionMatchesPlainSoftmaxOverTheSlotList() {
        var rng = TestRNG(state: 8)
        let nHead = 4, nKVHead = 2, headDim = 32, nSlots = 10
        let kvDim = nKVHead * headDim
        let k = (0..<(nSlots * kvDim)).map { _ in arbor_f32_to_f16(rng.float()) }
        let v = (0..<(nSlots * kvDim)).map { _ in arbor_f32_to_f16(rng.float()) }
        let q = (0..<(nHead * headDim)).map { _ in rng.float() }
        let slots: [Int32] = [7, 2, 9, 0, 4] // any order of slots, a sequence's list
        let visible: [Int32] = [Int32(slots.count)]
        let scale = 1 / Float(headDim).squareRoot()
        var out = [Float](repeating: 0, count: nHead * headDim)
        let pool = arbor_pool_create(2)
        defer { arbor_pool_destroy(pool) }
        arbor_attention(pool, &out, q, 1, k, v, slots, visible, Int32(nHead), Int32(nKVHead), Int32(headDim), scale)
        for h in 0..<nHead {
            let kvh = h / (nHead / nKVHead)
            var scores = slots.map { s -> Float in
                var dot: Float = 0
                for d in 0..<headDim { dot += q[h * headDim + d] * arbor_f16_to_f32(k[Int(s) * kvDim + kvh * headDim + d]) }
                return dot * scale
            }
            arbor_softmax(&scores, Int64(scores.count))
            for d in 0..<headDim {
                var expected: Float = 0
                for (i, s) in slots.enumerated() { expected += scores[i] * arbor_f16_to_f32(v[Int(s) * kvDim + kvh * headDim + d]) }
                XCTAssertEqual(out[h * headDim + d], expected, accuracy: 3e-3, "head \(h) dim \(d)")
            }
        }
    }

    func testRmsNormUsesMeanOfSquaresAndEps() {
        let x: [Float] = [1, -2, 3, -4]
        let w: [Float] = [1, 1, 2, 0.5]
        var y = [Float](repeating: 0, count: 4)
        arbor_rmsnorm(&y, x, w, 4, 1e-5)
        let r = 1 / (Float(30.0 / 4.0) + 1e-5).squareRoot()
        for i in 0..<4 { XCTAssertEqual(y[i], x[i] * r * w[i], accuracy: 1e-6) }
    }
}

/// The pool runs every chunk of every job exactly once, however threads interleave.
final class ThreadPoolTests: XCTestCase {
    func testEveryChunkRunsExactlyOncePerJob() {
        let pool = arbor_pool_create(3)!
        defer { arbor_pool_destroy(pool) }
        XCTAssertEqual(arbor_pool_threads(pool), 3)
        let counts = UnsafeMutablePointer<Int32>.allocate(capacity: 64)
        defer { counts.deallocate() }
        let task: arbor_task_fn = { ctx, ith, nth in
            let c = ctx!.assumingMemoryBound(to: Int32.self)
            c[Int(ith)] += 1 // each chunk index is claimed by one thread only
            if ith == 0 { c[63] = nth }
        }
        for _ in 0..<2000 {
            counts.initialize(repeating: 0, count: 64)
            arbor_pool_run(pool, task, counts)
            let n = Int(counts[63])
            XCTAssertGreaterThanOrEqual(n, 3)
            for i in 0..<n where counts[i] != 1 { XCTFail("chunk \(i) ran \(counts[i]) times"); return }
        }
    }
}
