import CArborKernels
import XCTest

/// The prefill kernels (one weight row against four or eight tokens) must give, for every
/// output, the bits of the single-row dot product: that is what keeps a token's numbers
/// independent of the batch it arrived in, and the greedy parity fixtures where they are.
final class MultiTokenMatmulTests: XCTestCase {
    /// Types with a multi-token kernel: Q4_1 (SmolLM2), Q5_0 / Q8_0 / Q4_K / Q6_K (Qwen2.5
    /// Q4_K_M), Q5_K (Q5_K_M files).
    static let types: [(name: String, type: Int32)] = [
        ("Q4_1", Int32(ARBOR_TYPE_Q4_1.rawValue)), ("Q5_0", Int32(ARBOR_TYPE_Q5_0.rawValue)),
        ("Q8_0", Int32(ARBOR_TYPE_Q8_0.rawValue)), ("Q4_K", Int32(ARBOR_TYPE_Q4_K.rawValue)),
        ("Q5_K", Int32(ARBOR_TYPE_Q5_K.rawValue)), ("Q6_K", Int32(ARBOR_TYPE_Q6_K.rawValue)),
    ]
    /// Token counts: odd sizes, plus 7 and 12 so that the four-token kernel runs after the
    /// eight-token one (12 = 8 + 4; 7 = 4 + 3 single rows).
    static let tokenCounts = [1, 3, 7, 12, 17, 33, 129]
    static let rowCounts = [1, 3, 17, 33, 129]

    struct Case {
        let type: Int32, rows: Int, cols: Int, tokens: Int
        let w: [UInt8], act: [UInt8], stride: Int, rowBytes: Int
    }

    static func makeCase(_ type: Int32, rows: Int, tokens: Int, rng: inout TestRNG) -> Case {
        let cols = 3 * Int(arbor_type_block_elems(type)) // three blocks: a row is never one block
        let w = QuantKernelTests.randomRow(type, elements: rows * cols, rng: &rng)
        let actType = arbor_activation_type(type)
        let stride = arbor_row_bytes(actType, Int64(cols))
        var act = [UInt8](repeating: 0, count: stride * tokens)
        act.withUnsafeMutableBytes { raw in
            for t in 0..<tokens {
                let x = (0..<cols).map { _ in rng.float(-2, 2) }
                arbor_quantize_row(actType, x, raw.baseAddress! + t * stride, Int64(cols))
            }
        }
        return Case(type: type, rows: rows, cols: cols, tokens: tokens, w: w, act: act, stride: stride,
                     rowBytes: arbor_row_bytes(type, Int64(cols)))
    }

    /// out[t][r] from one arbor_matmul over all tokens.
    static func matmul(_ c: Case, threads: Int32) -> [Float] {
        let pool = arbor_pool_create(threads)
        defer { arbor_pool_destroy(pool) }
        var out = [Float](repeating: .nan, count: c.rows * c.tokens)
        c.w.withUnsafeBytes { wp in
            c.act.withUnsafeBytes { ap in
                out.withUnsafeMutableBufferPointer { op in
                    arbor_matmul(pool, op.baseAddress, Int64(c.rows), wp.baseAddress, c.type, Int64(c.rows), Int64(c.cols),
                                 ap.baseAddress, c.stride, Int64(c.tokens))
                }
            }
        }
        return out
    }

    /// out[t][r] as one call of `dot` per output.
    static func perOutput(_ c: Case, _ dot: arbor_vec_dot_fn) -> [Float] {
        c.w.withUnsafeBytes { wp in
            c.act.withUnsafeBytes { ap in
                (0..<(c.rows * c.tokens)).map { i in
                    dot(Int64(c.cols), wp.baseAddress! + (i % c.rows) * c.rowBytes, ap.baseAddress! + (i / c.rows) * c.stride)
                }
            }
        }
    }

    func testEveryOutputIsTheSingleRowDotBitForBitAtOddSizes() {
        var rng = TestRNG(state: 18)
        for (name, type) in Self.types {
            let dot = arbor_vec_dot_for(type)!
            for tokens in Self.tokenCounts {
                for rows in Self.rowCounts where rows * tokens <= 129 * 17 {
                    let c = Self.makeCase(type, rows: rows, tokens: tokens, rng: &rng)
                    let expected = Self.perOutput(c, dot)
                    let got = Self.matmul(c, threads: 2)
                    let differing = zip(got, expected).filter { $0.bitPattern != $1.bitPattern }.count
                    XCTAssertEqual(differing, 0, "\(name): \(differing) of \(got.count) outputs differ at \(rows) rows x \(tokens) tokens")
                }
            }
        }
    }

    func testMultiTokenResultsStayWithinToleranceOfTheScalarReference() {
        // The scalar reference sums in another order, so this comparison has a tolerance;
        // it catches a kernel that is consistently wrong in the same way as its single-row form.
        var rng = TestRNG(state: 19)
        for (name, type) in Self.types {
            let c = Self.makeCase(type, rows: 17, tokens: 33, rng: &rng)
            let got = Self.matmul(c, threads: 1)
            let ref = Self.perOutput(c, arbor_vec_dot_ref_for(type)!)
            // the tolerance scales with the sum of |w * a| of each output, as QuantKernelTests'
            let actType = arbor_activation_type(type)
            let wf = QuantKernelTests.dequantize(type, c.w, elements: c.rows * c.cols)
            let af = QuantKernelTests.dequantize(actType, c.act, elements: c.tokens * c.cols) // rows are contiguous
            for i in 0..<got.count {
                let r = i % c.rows, t = i / c.rows
                let magnitude = (0..<c.cols).reduce(0.0) { $0 + abs(Double(wf[r * c.cols + $1]) * Double(af[t * c.cols + $1])) }
                XCTAssertEqual(Double(got[i]), Double(ref[i]), accuracy: QuantKernelTests.simdRelativeTolerance * magnitude + 1e-6,
                               "\(name) output \(i)")
            }
            XCTAssertGreaterThan(got.reduce(0) { $0 + abs($1) }, 0, "\(name) outputs are all zero")
        }
    }

    func testForcedReferencePathStillMatchesScalarDots() {
        // With the reference kernels forced, no multi-token kernel may run: every output is
        // exactly the scalar reference dot.
        arbor_force_reference(1)
        defer { arbor_force_reference(0) }
        var rng = TestRNG(state: 20)
        for (name, type) in Self.types {
            let c = Self.makeCase(type, rows: 5, tokens: 12, rng: &rng)
            XCTAssertEqual(Self.matmul(c, threads: 2), Self.perOutput(c, arbor_vec_dot_ref_for(type)!), name)
        }
    }
}
