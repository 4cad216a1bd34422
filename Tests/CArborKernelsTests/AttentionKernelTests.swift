import CArborKernels
import XCTest

/// The grouped three-pass attention (the query heads sharing a KV head, and several tokens,
/// read each chunk of keys once; scores, softmax, V per chunk) against the plain per-key loop
/// it restates, `arbor_attention_ref`: the same bits for every size, head grouping, lane
/// order, slot order and thread count, since greedy parity with llama.cpp rests on them.
final class AttentionKernelTests: XCTestCase {
    override func tearDown() { arbor_set_ggml_lanes(0) }

    /// One layer's cache, queries and a shuffled slot list of `keys` slots out of more.
    private struct Case {
        let nHead: Int, nKVHead: Int
        let headDim: Int
        let keys: Int
        var k: [UInt16] = [], v: [UInt16] = [], q: [Float] = []
        var slots: [Int32] = []
        var visible: [Int32] = []

        /// `rising` makes later keys score higher, so the running maximum moves at almost
        /// every key and the rescaling pass runs often.
        /// `visible` lists each query token's visible prefix of the slot list; by default four
        /// tokens see the whole list, one key less, a prefix, and nothing.
        init(headDim: Int, keys: Int, rising: Bool, seed: UInt64, nHead: Int = 9, nKVHead: Int = 3,
             visible: [Int32]? = nil) {
            self.nHead = nHead
            self.nKVHead = nKVHead
            self.headDim = headDim
            self.keys = keys
            var rng = TestRNG(state: seed)
            let nSlots = keys + keys / 3 + 1
            let kvDim = nKVHead * headDim
            q = (0..<(nHead * headDim)).map { _ in rng.float(-2, 2) }
            var kf = (0..<(nSlots * kvDim)).map { _ in rng.float() }
            v = (0..<(nSlots * kvDim)).map { _ in arbor_f32_to_f16(rng.float(-3, 3)) }
            var order = (0..<nSlots).map(Int32.init)
            for i in stride(from: nSlots - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            slots = Array(order.prefix(keys))
            if rising {
                for (i, s) in slots.enumerated() {
                    let w = 4 * Float(i) / Float(keys)
                    for kvh in 0..<nKVHead {
                        let qh = kvh * (nHead / nKVHead)
                        for d in 0..<headDim { kf[Int(s) * kvDim + kvh * headDim + d] += w * q[qh * headDim + d] }
                    }
                }
            }
            k = kf.map(arbor_f32_to_f16)
            self.visible = visible ?? [Int32(keys), Int32(max(keys - 1, 0)), Int32((keys + 1) / 2), 0]
            q = (0..<self.visible.count).flatMap { t in q.map { $0 * (1 + 0.25 * Float(t)) } }
        }

        func run(threads: Int32, reference: Bool) -> [UInt32] {
            var out = [Float](repeating: .nan, count: visible.count * nHead * headDim)
            let pool = arbor_pool_create(threads)
            defer { arbor_pool_destroy(pool) }
            let scale = 1 / Float(headDim).squareRoot()
            let attend = reference ? arbor_attention_ref : arbor_attention
            attend(pool, &out, q, Int64(visible.count), k, v, slots, visible,
                   Int32(nHead), Int32(nKVHead), Int32(headDim), scale)
            return out.map(\.bitPattern)
        }
    }

    func testThreePassAttentionEqualsPerKeyLoopBitForBit() {
        var seed: UInt64 = 1
        for lanes: Int32 in [8, 16] {
            arbor_set_ggml_lanes(lanes)
            for headDim in [64, 128] {
                for keys in [1, 2, 5, 63, 255, 256, 257, 700, 5000] {
                    for rising in [false, true] {
                        seed += 1
                        let c = Case(headDim: headDim, keys: keys, rising: rising, seed: seed)
                        let expected = c.run(threads: 1, reference: true)
                        XCTAssertFalse(expected.contains(Float.nan.bitPattern), "every output written")
                        for threads: Int32 in [1, 3] {
                            XCTAssertEqual(c.run(threads: threads, reference: false), expected,
                                           "lanes \(lanes) head_dim \(headDim) keys \(keys) rising \(rising) threads \(threads)")
                        }
                    }
                }
            }
        }
    }

    /// Both shipped models' groupings (Qwen2: 7 query heads per KV head, SmolLM2: 3), one KV
    /// head for all and none shared, as a decode step (one token) and as prefill (tokens with
    /// causal prefixes, so the queries of one group see different numbers of keys).
    func testGroupedQueryAttentionEqualsPerKeyLoopAtEveryContextLength() {
        var seed: UInt64 = 1000
        for lanes: Int32 in [8, 16] {
            arbor_set_ggml_lanes(lanes)
            for (nHead, nKVHead) in [(14, 2), (9, 3), (8, 1), (4, 4)] {
                for keys in [1, 17, 256, 257, 1000] {
                    for tokens in [1, 5, 40] where tokens <= keys {
                        seed += 1
                        let causal = (0..<tokens).map { Int32(keys - tokens + $0 + 1) }
                        let c = Case(headDim: 64, keys: keys, rising: seed % 2 == 0, seed: seed,
                                     nHead: nHead, nKVHead: nKVHead, visible: causal)
                        let expected = c.run(threads: 1, reference: true)
                        XCTAssertFalse(expected.contains(Float.nan.bitPattern), "every output written")
                        for threads: Int32 in [1, 2, 3] {
                            XCTAssertEqual(c.run(threads: threads, reference: false), expected,
                                           "lanes \(lanes) heads \(nHead)/\(nKVHead) keys \(keys) tokens \(tokens) threads \(threads)")
                        }
                    }
                }
            }
        }
    }

    func testTheLaneOrdersGiveDifferentScoresSoBothAreExercised() {
        let c = Case(headDim: 128, keys: 700, rising: false, seed: 99)
        arbor_set_ggml_lanes(8)
        let eight = c.run(threads: 2, reference: false)
        arbor_set_ggml_lanes(16)
        let sixteen = c.run(threads: 2, reference: false)
        XCTAssertNotEqual(eight, sixteen)
    }
}
