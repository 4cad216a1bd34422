import CArborKernels
import XCTest

/// A small deterministic generator (splitmix64) so failures reproduce.
struct TestRNG {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func float(_ lo: Float = -1, _ hi: Float = 1) -> Float {
        lo + (hi - lo) * Float(next() >> 40) / Float(1 << 24)
    }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
}

/// Kernel-level checks: SIMD against reference, reference against the dequantised formula.
final class QuantKernelTests: XCTestCase {
    /// Blocks per row the comparisons run at: odd sizes catch tail and stride mistakes.
    static let blockCounts = [1, 3, 17, 33, 129]
    /// SIMD and reference differ only in float summation order.
    static let simdRelativeTolerance: Double = 1e-5
    /// The reference dot is a float sum of per-block terms; the formula sums in double.
    static let formulaRelativeTolerance: Double = 1e-4

    static let weightTypes: [(name: String, type: Int32)] = [
        ("Q4_0", Int32(ARBOR_TYPE_Q4_0.rawValue)), ("Q4_1", Int32(ARBOR_TYPE_Q4_1.rawValue)),
        ("Q5_0", Int32(ARBOR_TYPE_Q5_0.rawValue)), ("Q8_0", Int32(ARBOR_TYPE_Q8_0.rawValue)),
        ("Q4_K", Int32(ARBOR_TYPE_Q4_K.rawValue)), ("Q5_K", Int32(ARBOR_TYPE_Q5_K.rawValue)),
        ("Q6_K", Int32(ARBOR_TYPE_Q6_K.rawValue)), ("F16", Int32(ARBOR_TYPE_F16.rawValue)),
        ("F32", Int32(ARBOR_TYPE_F32.rawValue)), ("BF16", Int32(ARBOR_TYPE_BF16.rawValue)),
    ]

    /// Byte offsets of the f16 scale fields in each block, which must hold sane values.
    static func scaleOffsets(_ type: Int32) -> [Int] {
        switch UInt32(type) {
        case ARBOR_TYPE_Q4_0.rawValue, ARBOR_TYPE_Q5_0.rawValue, ARBOR_TYPE_Q8_0.rawValue: return [0]
        case ARBOR_TYPE_Q4_1.rawValue, ARBOR_TYPE_Q4_K.rawValue, ARBOR_TYPE_Q5_K.rawValue: return [0, 2]
        case ARBOR_TYPE_Q6_K.rawValue: return [208]
        default: return []
        }
    }

    /// A random weight row of `type`: random quant bytes, scales in a realistic range.
    static func randomRow(_ type: Int32, elements: Int, rng: inout TestRNG) -> [UInt8] {
        let bytes = arbor_row_bytes(type, Int64(elements))
        var row = [UInt8](repeating: 0, count: bytes)
        switch UInt32(type) {
        case ARBOR_TYPE_F32.rawValue:
            row.withUnsafeMutableBytes { raw in
                let f = raw.bindMemory(to: Float.self)
                for i in 0..<elements { f[i] = rng.float() }
            }
            return row
        case ARBOR_TYPE_F16.rawValue:
            row.withUnsafeMutableBytes { raw in
                let h = raw.bindMemory(to: UInt16.self)
                for i in 0..<elements { h[i] = arbor_f32_to_f16(rng.float()) }
            }
            return row
        case ARBOR_TYPE_BF16.rawValue:
            row.withUnsafeMutableBytes { raw in
                let h = raw.bindMemory(to: UInt16.self)
                for i in 0..<elements { h[i] = UInt16(rng.float().bitPattern >> 16) }
            }
            return row
        default: break
        }
        for i in 0..<bytes { row[i] = rng.byte() }
        let blockBytes = Int(arbor_type_block_bytes(type))
        for b in 0..<(bytes / blockBytes) {
            for off in scaleOffsets(type) {
                let h = arbor_f32_to_f16(rng.float(0.001, 0.05))
                row[b * blockBytes + off] = UInt8(h & 0xFF)
                row[b * blockBytes + off + 1] = UInt8(h >> 8)
            }
        }
        return row
    }

    static func dequantize(_ type: Int32, _ row: [UInt8], elements: Int) -> [Float] {
        var out = [Float](repeating: 0, count: elements)
        row.withUnsafeBytes { raw in arbor_dequantize_row(type, raw.baseAddress, &out, Int64(elements)) }
        return out
    }

    func testSimdDotMatchesReferenceAndDequantisedFormulaAtOddSizes() {
        var rng = TestRNG(state: 42)
        for (name, type) in Self.weightTypes {
            let perBlock = Int(arbor_type_block_elems(type))
            let unit = perBlock == 1 ? 32 : perBlock
            for blocks in Self.blockCounts {
                let n = unit * blocks
                let w = Self.randomRow(type, elements: n, rng: &rng)
                let x = (0..<n).map { _ in rng.float(-2, 2) }
                let actType = arbor_activation_type(type)
                var act = [UInt8](repeating: 0, count: arbor_row_bytes(actType, Int64(n)))
                act.withUnsafeMutableBytes { arbor_quantize_row(actType, x, $0.baseAddress, Int64(n)) }

                let ref = arbor_vec_dot_ref_for(type)!
                let refValue = w.withUnsafeBytes { wp in act.withUnsafeBytes { ap in ref(Int64(n), wp.baseAddress, ap.baseAddress) } }
                let wf = Self.dequantize(type, w, elements: n)
                let af = Self.dequantize(actType, act, elements: n)
                var formula = 0.0, magnitude = 0.0
                for i in 0..<n {
                    formula += Double(wf[i]) * Double(af[i])
                    magnitude += abs(Double(wf[i]) * Double(af[i]))
                }
                XCTAssertEqual(Double(refValue), formula, accuracy: Self.formulaRelativeTolerance * magnitude + 1e-6,
                               "\(name) reference dot differs from the dequantised formula at \(blocks) blocks")
                if let simd = arbor_vec_dot_avx2_for(type), arbor_cpu_has_floor() != 0 {
                    let simdValue = w.withUnsafeBytes { wp in act.withUnsafeBytes { ap in simd(Int64(n), wp.baseAddress, ap.baseAddress) } }
                    XCTAssertEqual(Double(simdValue), Double(refValue), accuracy: Self.simdRelativeTolerance * magnitude + 1e-6,
                                   "\(name) AVX2 dot differs from the reference at \(blocks) blocks")
                }
            }
        }
    }

    func testFloatDotsMatchReferenceAtOddElementCountsForBothLaneOrders() {
        // The float types have no blocks, so their SIMD tails see every length here.
        defer { arbor_set_ggml_lanes(0) }
        var rng = TestRNG(state: 43)
        for lanes: Int32 in [8, 16] {
            arbor_set_ggml_lanes(lanes)
            for (name, type) in Self.weightTypes where arbor_type_block_elems(type) == 1 {
                guard let simd = arbor_vec_dot_for(type), let ref = arbor_vec_dot_ref_for(type) else {
                    XCTFail("\(name) has no dot product")
                    continue
                }
                XCTAssertNotEqual(unsafeBitCast(simd, to: UnsafeRawPointer.self), unsafeBitCast(ref, to: UnsafeRawPointer.self),
                                  "\(name) should have a SIMD dot")
                for n in Self.blockCounts + [31, 63, 65, 127, 577] {
                    let w = Self.randomRow(type, elements: n, rng: &rng)
                    let x = (0..<n).map { _ in rng.float(-2, 2) }
                    var act = [UInt8](repeating: 0, count: arbor_row_bytes(type, Int64(n)))
                    act.withUnsafeMutableBytes { arbor_quantize_row(type, x, $0.baseAddress, Int64(n)) }
                    let wf = Self.dequantize(type, w, elements: n), af = Self.dequantize(type, act, elements: n)
                    let magnitude = zip(wf, af).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
                    let (s, r) = w.withUnsafeBytes { wp in
                        act.withUnsafeBytes { ap in (simd(Int64(n), wp.baseAddress, ap.baseAddress), ref(Int64(n), wp.baseAddress, ap.baseAddress)) }
                    }
                    XCTAssertEqual(Double(s), Double(r), accuracy: Self.simdRelativeTolerance * magnitude + 1e-6,
                                   "\(name) lanes \(lanes) at \(n) elements")
                }
            }
        }
    }

    func testLegacyDequantisationFollowsTheBlockFormula() {
        var rng = TestRNG(state: 7)
        let n = 32 * 3
        // Q4_0: d * (nibble - 8); Q4_1: d * nibble + m; Q8_0: d * q; Q5_0: d * (5-bit q - 16).
        for type in [ARBOR_TYPE_Q4_0, ARBOR_TYPE_Q4_1, ARBOR_TYPE_Q8_0, ARBOR_TYPE_Q5_0].map({ Int32($0.rawValue) }) {
            let row = Self.randomRow(type, elements: n, rng: &rng)
            let got = Self.dequantize(type, row, elements: n)
            let bb = Int(arbor_type_block_bytes(type))
            for i in 0..<n {
                let b = i / 32, j = i % 32, base = b * bb
                let d = arbor_f16_to_f32(UInt16(row[base]) | UInt16(row[base + 1]) << 8)
                var expected: Float
                switch UInt32(type) {
                case ARBOR_TYPE_Q4_0.rawValue:
                    let q = j < 16 ? row[base + 2 + j] & 0xF : row[base + 2 + j - 16] >> 4
                    expected = Float(Int(q) - 8) * d
                case ARBOR_TYPE_Q4_1.rawValue:
                    let m = arbor_f16_to_f32(UInt16(row[base + 2]) | UInt16(row[base + 3]) << 8)
                    let q = j < 16 ? row[base + 4 + j] & 0xF : row[base + 4 + j - 16] >> 4
                    expected = Float(q) * d + m
                case ARBOR_TYPE_Q8_0.rawValue:
                    expected = Float(Int8(bitPattern: row[base + 2 + j])) * d
                default:
                    let qh = UInt32(row[base + 2]) | UInt32(row[base + 3]) << 8 | UInt32(row[base + 4]) << 16 | UInt32(row[base + 5]) << 24
                    let low = j < 16 ? row[base + 6 + j] & 0xF : row[base + 6 + j - 16] >> 4
                    let q = Int(low) | Int((qh >> UInt32(j)) & 1) << 4
                    expected = Float(q - 16) * d
                }
                XCTAssertEqual(got[i], expected, "type \(type) element \(i)")
            }
        }
    }

    func testActivationQuantisationSimdIsBitIdenticalToReference() {
        var rng = TestRNG(state: 9)
        for blocks in Self.blockCounts {
            let n = 32 * blocks
            var x = (0..<n).map { _ in rng.float(-3, 3) }
            x[0] = 0.5 // exact half-way products must round to even in both versions
            var a = [UInt8](repeating: 0, count: n / 32 * 36), b = a
            arbor_quantize_row_q8_0_ref(x, &a, Int64(n))
            arbor_quantize_row_q8_0(x, &b, Int64(n))
            XCTAssertEqual(a[0..<(n / 32 * 34)], b[0..<(n / 32 * 34)], "Q8_0 at \(blocks) blocks")
            arbor_quantize_row_q8_1_ref(x, &a, Int64(n))
            arbor_quantize_row_q8_1(x, &b, Int64(n))
            XCTAssertEqual(a, b, "Q8_1 at \(blocks) blocks")
            // round trip within half a quantum per element
            let back = Self.dequantize(Int32(ARBOR_TYPE_Q8_1.rawValue), b, elements: n)
            for i in 0..<n {
                let amax = x[(i / 32 * 32)..<(i / 32 * 32 + 32)].map(abs).max()!
                XCTAssertLessThanOrEqual(abs(back[i] - x[i]), amax / 127 * 0.58 + 1e-6, "the stored f16 scale adds up to 127 * 2^-11 quanta")
            }
        }
    }

    func testQ8KQuantisationKeepsBlockSums() {
        var rng = TestRNG(state: 11)
        let n = 256 * 3
        let x = (0..<n).map { _ in rng.float(-1, 1) }
        var q = [UInt8](repeating: 0, count: arbor_row_bytes(Int32(ARBOR_TYPE_Q8_K.rawValue), Int64(n)))
        arbor_quantize_row_q8_K(x, &q, Int64(n))
        q.withUnsafeBytes { raw in
            for b in 0..<3 {
                let base = raw.baseAddress!.advanced(by: b * 292)
                let qs = base.advanced(by: 4).assumingMemoryBound(to: Int8.self)
                let sums = base.advanced(by: 260).assumingMemoryBound(to: Int16.self)
                for s in 0..<16 {
                    XCTAssertEqual(Int(sums[s]), (0..<16).reduce(0) { $0 + Int(qs[s * 16 + $1]) })
                }
            }
        }
    }

    func testQ8KQuantisationSimdIsBitIdenticalToReference() {
        var rng = TestRNG(state: 12)
        for blocks in Self.blockCounts {
            let n = 256 * blocks
            var x = (0..<n).map { _ in rng.float(-3, 3) }
            x[0] = 0.5                                   // a half-way product rounds to even in both
            for i in 256..<min(512, n) { x[i] = 0 }      // an all-zero block
            if n > 600 { x[520] = 3.5; x[530] = -3.5 }   // a tie for the largest magnitude: the first wins
            var a = [UInt8](repeating: 0, count: arbor_row_bytes(Int32(ARBOR_TYPE_Q8_K.rawValue), Int64(n))), b = a
            arbor_quantize_row_q8_K_ref(x, &a, Int64(n))
            arbor_quantize_row_q8_K(x, &b, Int64(n))
            XCTAssertEqual(a, b, "Q8_K at \(blocks) blocks")
        }
    }

    func testCpuFeaturesReportTheAvx2Floor() {
        // The package is compiled with -mavx2 -mfma -mf16c, so a machine running these tests has them.
        XCTAssertEqual(arbor_cpu_has_floor(), 1)
    }
}
