import CArborKernels
import Foundation
import XCTest

/// The two rounding variants of llama.cpp (built for AVX2, built for AVX-512), each checked
/// bit for bit against a scalar restatement of what that build computes.
final class LlamaCppNumericsKernelTests: XCTestCase {
    override func tearDown() { arbor_set_ggml_lanes(0) }

    private func randomHalves(_ count: Int, _ rng: inout TestRNG) -> [UInt16] {
        (0..<count).map { _ in arbor_f32_to_f16(rng.float(-2, 2)) }
    }

    /// ggml_vec_dot_f16: four accumulators of `lanes` floats over steps of 4 × lanes, added
    /// pairwise, then the lanes folded (AVX2: halves, then two horizontal adds; AVX-512: the
    /// halving tree of _mm512_reduce_add_ps); the tail is added in double.
    private func ggmlDotF16(_ x: [UInt16], _ y: [UInt16], lanes: Int) -> Float {
        let n = x.count, step = 4 * lanes
        var acc = [[Float]](repeating: [Float](repeating: 0, count: lanes), count: 4)
        var i = 0
        while i + step <= n {
            for j in 0..<4 {
                for l in 0..<lanes {
                    let k = i + j * lanes + l
                    acc[j][l] = acc[j][l].addingProduct(arbor_f16_to_f32(x[k]), arbor_f16_to_f32(y[k]))
                }
            }
            i += step
        }
        let s = (0..<lanes).map { l in (acc[0][l] + acc[2][l]) + (acc[1][l] + acc[3][l]) }
        let r: Float
        if lanes == 8 {
            let t = (0..<4).map { s[$0] + s[$0 + 4] }
            r = (t[0] + t[1]) + (t[2] + t[3])
        } else {
            let t8 = (0..<8).map { s[$0] + s[$0 + 8] }
            let t4 = (0..<4).map { t8[$0] + t8[$0 + 4] }
            r = (t4[0] + t4[2]) + (t4[1] + t4[3])
        }
        var sum = Double(r)
        while i < n {
            sum += Double(arbor_f16_to_f32(x[i]) * arbor_f16_to_f32(y[i]))
            i += 1
        }
        return Float(sum)
    }

    func testF16DotSumsInTheOrderOfEachBuild() {
        var rng = TestRNG(state: 11)
        for lanes: Int32 in [8, 16] {
            arbor_set_ggml_lanes(lanes)
            XCTAssertEqual(arbor_ggml_lanes(), lanes)
            let dot = arbor_vec_dot_for(Int32(ARBOR_TYPE_F16.rawValue))!
            for n in [64, 128, 96, 64 + 7, 200, 3] {
                for _ in 0..<20 {
                    let x = randomHalves(n, &rng), y = randomHalves(n, &rng)
                    let got = x.withUnsafeBytes { xp in y.withUnsafeBytes { yp in dot(Int64(n), xp.baseAddress, yp.baseAddress) } }
                    XCTAssertEqual(got.bitPattern, ggmlDotF16(x, y, lanes: Int(lanes)).bitPattern, "lanes \(lanes), n \(n)")
                }
            }
        }
    }

    func testTheTwoSummationOrdersDoDiffer() {
        // otherwise the variants would be one and the parity tests would prove nothing
        var rng = TestRNG(state: 12)
        var differing = 0
        for _ in 0..<200 {
            let x = randomHalves(64, &rng), y = randomHalves(64, &rng)
            if ggmlDotF16(x, y, lanes: 8) != ggmlDotF16(x, y, lanes: 16) { differing += 1 }
        }
        XCTAssertGreaterThan(differing, 10)
    }

    private static func bf16(_ h: UInt16) -> Float { Float(bitPattern: UInt32(h) << 16) }

    /// What _mm512_reduce_add_ps computes: halves, quarters, then (0 + 2) + (1 + 3).
    private static func reduce16(_ v: [Float]) -> Float {
        let t8 = (0..<8).map { v[$0] + v[$0 + 8] }
        let t4 = (0..<4).map { t8[$0] + t8[$0 + 4] }
        return (t4[0] + t4[2]) + (t4[1] + t4[3])
    }

    /// `accumulators` fma accumulators of `lanes` floats over steps of accumulators × lanes.
    private static func accumulate(_ n: Int, accumulators: Int, lanes: Int, _ product: (Int) -> (Float, Float)) -> (acc: [[Float]], end: Int) {
        var acc = [[Float]](repeating: [Float](repeating: 0, count: lanes), count: accumulators)
        let step = accumulators * lanes
        var i = 0
        while i + step <= n {
            for j in 0..<accumulators {
                for l in 0..<lanes {
                    let (a, b) = product(i + j * lanes + l)
                    acc[j][l] = acc[j][l].addingProduct(a, b)
                }
            }
            i += step
        }
        return (acc, i)
    }

    /// ggml_vec_dot_bf16. AVX2: four 8-lane accumulators over steps of 32 (its mul + add,
    /// contracted to fma by gcc), summed (0 + 2) + (1 + 3), the lanes folded in halves.
    /// AVX-512F: two 16-lane accumulators over steps of 32, each reduced and added in double.
    /// The tail is added in double.
    private func ggmlDotBF16(_ x: [UInt16], _ y: [UInt16], lanes: Int) -> Float {
        let n = x.count
        let (acc, end) = Self.accumulate(n, accumulators: lanes == 8 ? 4 : 2, lanes: lanes) { (Self.bf16(x[$0]), Self.bf16(y[$0])) }
        var sum: Double
        if lanes == 8 {
            let s = (0..<8).map { (acc[0][$0] + acc[2][$0]) + (acc[1][$0] + acc[3][$0]) }
            let t4 = (0..<4).map { s[$0] + s[$0 + 4] }
            sum = Double((t4[0] + t4[2]) + (t4[1] + t4[3]))
        } else {
            sum = Double(Self.reduce16(acc[0]))
            sum += Double(Self.reduce16(acc[1]))
        }
        for i in end..<n { sum += Double(Self.bf16(x[i]) * Self.bf16(y[i])) }
        return Float(sum)
    }

    /// ggml_vec_dot_f32: four fma accumulators of `lanes` floats over steps of 4 × lanes,
    /// added pairwise; AVX2 folds halves then two horizontal adds, AVX-512 reduces as
    /// _mm512_reduce_add_ps. The float tail as gcc compiles it: products rounded then added
    /// for all but the last n % 4, which are fused.
    private func ggmlDotF32(_ x: [Float], _ y: [Float], lanes: Int) -> Float {
        let n = x.count
        let (acc, end) = Self.accumulate(n, accumulators: 4, lanes: lanes) { (x[$0], y[$0]) }
        let s = (0..<lanes).map { (acc[0][$0] + acc[2][$0]) + (acc[1][$0] + acc[3][$0]) }
        var sum: Float
        if lanes == 8 {
            let t4 = (0..<4).map { s[$0] + s[$0 + 4] }
            sum = (t4[0] + t4[1]) + (t4[2] + t4[3])
        } else {
            sum = Self.reduce16(s)
        }
        let fusedFrom = n - ((n - end) & 3)
        for i in end..<fusedFrom { sum += x[i] * y[i] }
        for i in fusedFrom..<n { sum = sum.addingProduct(x[i], y[i]) }
        return sum
    }

    private func randomBF16(_ count: Int, _ rng: inout TestRNG) -> [UInt16] {
        (0..<count).map { _ in UInt16(rng.float(-2, 2).bitPattern >> 16) }
    }

    func testBF16DotSumsInTheOrderOfEachBuild() {
        var rng = TestRNG(state: 21)
        for lanes: Int32 in [8, 16] {
            arbor_set_ggml_lanes(lanes)
            let dot = arbor_vec_dot_for(Int32(ARBOR_TYPE_BF16.rawValue))!
            for n in [32, 64, 96, 32 + 7, 200, 3, 576] {
                for _ in 0..<20 {
                    let x = randomBF16(n, &rng), y = randomBF16(n, &rng)
                    let got = x.withUnsafeBytes { xp in y.withUnsafeBytes { yp in dot(Int64(n), xp.baseAddress, yp.baseAddress) } }
                    XCTAssertEqual(got.bitPattern, ggmlDotBF16(x, y, lanes: Int(lanes)).bitPattern, "lanes \(lanes), n \(n)")
                }
            }
        }
    }

    func testF32DotSumsInTheOrderOfEachBuild() {
        var rng = TestRNG(state: 22)
        for lanes: Int32 in [8, 16] {
            arbor_set_ggml_lanes(lanes)
            let dot = arbor_vec_dot_for(Int32(ARBOR_TYPE_F32.rawValue))!
            // tails of every length mod 8, and ones with both unfused and fused elements
            for n in [64, 128, 32, 96, 64 + 7, 64 + 13, 200, 3, 4, 5, 576, 64 + 63] {
                for _ in 0..<20 {
                    let x = (0..<n).map { _ in rng.float(-2, 2) }, y = (0..<n).map { _ in rng.float(-2, 2) }
                    let got = dot(Int64(n), x, y)
                    XCTAssertEqual(got.bitPattern, ggmlDotF32(x, y, lanes: Int(lanes)).bitPattern, "lanes \(lanes), n \(n)")
                }
            }
        }
    }

    func testBF16AndF32SummationOrdersOfTheTwoBuildsDiffer() {
        var rng = TestRNG(state: 23)
        var differing = (bf16: 0, f32: 0)
        for _ in 0..<200 {
            let x = randomBF16(64, &rng), y = randomBF16(64, &rng)
            if ggmlDotBF16(x, y, lanes: 8) != ggmlDotBF16(x, y, lanes: 16) { differing.bf16 += 1 }
            let xf = (0..<64).map { _ in rng.float(-2, 2) }, yf = (0..<64).map { _ in rng.float(-2, 2) }
            if ggmlDotF32(xf, yf, lanes: 8) != ggmlDotF32(xf, yf, lanes: 16) { differing.f32 += 1 }
        }
        XCTAssertGreaterThan(differing.bf16, 10)
        XCTAssertGreaterThan(differing.f32, 10)
    }

    /// ggml_v_expf as built for AVX-512: the polynomial with the 1 folded into its last fma,
    /// scaled by 2^n exactly (scalef), flushed to 0 or infinity beyond |n| > 192.
    private func ggmlExpAVX512(_ x: Float) -> Float {
        let z = Float(0x1.8p23).addingProduct(x, 0x1.715476p+0)
        let n = z - 0x1.8p23
        let b = x.addingProduct(-n, 0x1.62e4p-1).addingProduct(-n, 0x1.7f7d1cp-20)
        let u = b * b
        let inner = Float(0x1.573e2ep-5).addingProduct(0x1.0e4020p-7, b)
        let low = Float(0x1.fffdb6p-2).addingProduct(0x1.555e66p-3, b)
        let j = Float(1).addingProduct(0x1.ffffecp-1, b).addingProduct(low.addingProduct(inner, u), u)
        if abs(n) > 192 { return n > 0 ? .infinity : 0 }
        return Float(sign: .plus, exponent: Int(n), significand: j)
    }

    func testSiluOfTheAvx512BuildIsReproducedBitForBit() {
        arbor_set_ggml_lanes(16)
        var rng = TestRNG(state: 13)
        // a tail of 5 goes through ggml's scalar silu; wide inputs reach the flush-to-zero side
        let n = 16 * 40 + 5
        let g = (0..<n).map { i in i < 32 ? rng.float(-120, 120) : rng.float(-8, 8) }
        let u = (0..<n).map { _ in rng.float() }
        var y = [Float](repeating: 0, count: n)
        arbor_swiglu(&y, g, u, Int64(n))
        for i in 0..<n {
            let v = g[i]
            let silu = i < n - 5 ? v / (1 + ggmlExpAVX512(-v)) : v / (1 + expf(-v))
            XCTAssertEqual(y[i].bitPattern, (silu * u[i]).bitPattern, "element \(i): g \(v)")
        }
        arbor_set_ggml_lanes(8)
        var y8 = [Float](repeating: 0, count: n)
        arbor_swiglu(&y8, g, u, Int64(n))
        XCTAssertNotEqual(y8, y, "the AVX2 build's exp rounds differently somewhere")
    }
}
