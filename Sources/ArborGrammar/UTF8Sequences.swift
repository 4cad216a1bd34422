/// Splits ranges of Unicode scalars into UTF-8 byte-range sequences.
///
/// Every scalar in the input range is encoded by exactly one returned sequence
/// `[r1, r2, …]` (one byte range per encoded byte), and every byte string such a sequence
/// matches is the UTF-8 encoding of a scalar in the range. This is how scalar classes in
/// the grammar (and regex DFA transitions) become byte-level automaton edges, so that a
/// token ending in the middle of a multi-byte character is handled like any other prefix.
///
/// ```swift
/// UTF8Sequences.split(0x80...0x7FF)  // [[0xC2...0xDF, 0x80...0xBF]]
/// ```
enum UTF8Sequences {
    static func split(_ range: ClosedRange<UInt32>) -> [[ClosedRange<UInt8>]] {
        var result: [[ClosedRange<UInt8>]] = []
        // Split at the boundaries where the encoded length changes, and skip surrogates.
        let pieces: [ClosedRange<UInt32>] = [0...0x7F, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x10000...0x10FFFF]
        for piece in pieces {
            let low = max(range.lowerBound, piece.lowerBound)
            let high = min(range.upperBound, piece.upperBound)
            if low <= high { splitSameLength(low, high, into: &result) }
        }
        return result
    }

    /// `low...high` all encode with the same number of bytes.
    private static func splitSameLength(_ low: UInt32, _ high: UInt32, into result: inout [[ClosedRange<UInt8>]]) {
        let length = encodedLength(low)
        // Find the first continuation-byte boundary where low and high disagree on the
        // leading bits while not covering the full trailing range, and split there.
        for trailing in 1..<length {
            let mask: UInt32 = (1 << (6 * UInt32(trailing))) - 1
            if low & ~mask != high & ~mask {
                if low & mask != 0 {
                    splitSameLength(low, low | mask, into: &result)
                    splitSameLength((low | mask) + 1, high, into: &result)
                    return
                }
                if high & mask != mask {
                    splitSameLength(low, (high & ~mask) - 1, into: &result)
                    splitSameLength(high & ~mask, high, into: &result)
                    return
                }
            }
        }
        let lowBytes = encode(low)
        let highBytes = encode(high)
        result.append(zip(lowBytes, highBytes).map { $0...$1 })
    }

    static func encodedLength(_ scalar: UInt32) -> Int {
        switch scalar {
        case 0..<0x80: return 1
        case 0x80..<0x800: return 2
        case 0x800..<0x10000: return 3
        default: return 4
        }
    }

    static func encode(_ scalar: UInt32) -> [UInt8] {
        switch encodedLength(scalar) {
        case 1: return [UInt8(scalar)]
        case 2: return [UInt8(0xC0 | scalar >> 6), UInt8(0x80 | scalar & 0x3F)]
        case 3: return [UInt8(0xE0 | scalar >> 12), UInt8(0x80 | scalar >> 6 & 0x3F), UInt8(0x80 | scalar & 0x3F)]
        default: return [UInt8(0xF0 | scalar >> 18), UInt8(0x80 | scalar >> 12 & 0x3F), UInt8(0x80 | scalar >> 6 & 0x3F), UInt8(0x80 | scalar & 0x3F)]
        }
    }
}
