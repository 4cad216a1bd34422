import CArborKernels
import Foundation
import XCTest

/// Dot products and activation rows computed by llama.cpp's own CPU code (built for AVX2 by
/// gcc, see Fixtures/tools/ggml-dot-golden.c): ours must give the same bits. The quantised
/// dots run the same code in llama.cpp's AVX-512 build, so they hold for both variants.
final class LlamaCppGoldenDotTests: XCTestCase {
    override func tearDown() { arbor_set_ggml_lanes(0) }

    struct Case: Decodable {
        let type: Int32
        let n: Int
        let x, w, a, dot: String
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for c in hex.utf8 {
            let v = c <= 57 ? c - 48 : c - 87
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return out
    }

    static func cases() throws -> [Case] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/ggml-avx2-dots.jsonl")
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Case.self, from: Data($0.utf8)) }
    }

    func testDotsAndActivationRowsEqualLlamaCppAvx2BuildBitForBit() throws {
        arbor_set_ggml_lanes(8)
        let cases = try Self.cases()
        XCTAssertEqual(Set(cases.map(\.type)).count, 10, "every supported weight type")
        for c in cases {
            let x = Self.bytes(c.x).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            let w = Self.bytes(c.w), expectedAct = Self.bytes(c.a)
            let actType = arbor_activation_type(c.type)
            XCTAssertEqual(arbor_row_bytes(actType, Int64(c.n)), expectedAct.count, "type \(c.type)")
            var act = [UInt8](repeating: 0, count: expectedAct.count)
            act.withUnsafeMutableBytes { arbor_quantize_row(actType, x, $0.baseAddress, Int64(c.n)) }
            XCTAssertEqual(act, expectedAct, "activation row of type \(actType) for n \(c.n)")
            let dot = arbor_vec_dot_for(c.type)!
            let got = w.withUnsafeBytes { wp in expectedAct.withUnsafeBytes { ap in dot(Int64(c.n), wp.baseAddress, ap.baseAddress) } }
            let expected = Self.bytes(c.dot).withUnsafeBytes { $0.loadUnaligned(as: Float.self) }
            XCTAssertEqual(got.bitPattern, expected.bitPattern, "type \(c.type), n \(c.n): \(got) vs llama.cpp's \(expected)")
        }
    }
}
