/// Exact grammars for integer ranges, written as JSON writes integers: no leading zeros,
/// a minus sign only before a non-zero magnitude.
///
/// The classic digit-by-digit construction: a range is split by digit count, and a range of
/// equal-length numbers `x…y` becomes "x's first digit, then x's rest up to 9…9", "the digits
/// strictly between, then any digits", "y's first digit, then 0…0 up to y's rest". Its size
/// grows with the number of digits, not with the width of the range, so `minimum: 1000,
/// maximum: 987654` costs a few dozen grammar nodes.
///
/// ```swift
/// IntegerRangeGrammar.expression(-2, 12)   // "-" [1-2] | [0-9] | "1" [0-2]
/// ```
enum IntegerRangeGrammar {
    static let digit: GrammarExpression = .byteRanges([0x30...0x39])

    /// The integers in `lower...upper` (which must not be empty).
    static func expression(_ lower: Int64, _ upper: Int64) -> GrammarExpression {
        precondition(lower <= upper, "an empty integer range has no grammar")
        var options: [GrammarExpression] = []
        if lower < 0 {
            // Magnitudes of the negative part: from |min(upper, -1)| to |lower|.
            let smallest = upper < 0 ? upper.magnitude : 1
            options.append(.concatenation([.literal("-"), unsigned(smallest, lower.magnitude)]))
        }
        if upper >= 0 {
            options.append(unsigned(lower > 0 ? UInt64(lower) : 0, UInt64(upper)))
        }
        return .alternatives(options)
    }

    /// The decimal numbers in `lower...upper`, without sign.
    static func unsigned(_ lower: UInt64, _ upper: UInt64) -> GrammarExpression {
        unsigned(Array(String(lower).utf8), Array(String(upper).utf8))
    }

    /// The decimal numbers between two digit strings without leading zeros (`"0"` for
    /// zero), of any length.
    static func unsigned(_ lower: [UInt8], _ upper: [UInt8]) -> GrammarExpression {
        var options: [GrammarExpression] = []
        // Lengths whose whole span lies in the range collapse to `[1-9] [0-9]{m,n}`.
        var fullLengths: ClosedRange<Int>?
        for length in lower.count...upper.count {
            let first = length == 1 ? [zero] : [zero + 1] + Array(repeating: zero, count: length - 1)
            let last = Array(repeating: zero + 9, count: length)
            let low = length == lower.count ? lower : first, high = length == upper.count ? upper : last
            // One digit counts as full from 1 to 9 (with "0" apart): `"0" | [1-9] [0-9]{0,n}`.
            if length == 1, low.first! <= zero + 1, high == last {
                if low == [zero] { options.append(.bytes([zero])) }
                fullLengths = 1...1
                continue
            }
            if length > 1, low == first, high == last {
                fullLengths = (fullLengths?.lowerBound ?? length)...length
                continue
            }
            options.append(sameLength(low, high))
        }
        if let fullLengths {
            options.append(.concatenation([.byteRanges([0x31...0x39]),
                                           .repetition(digit, min: fullLengths.lowerBound - 1, max: fullLengths.upperBound - 1)]))
        }
        return .alternatives(options)
    }

    private static let zero = UInt8(ascii: "0")

    /// The numbers between two digit strings of equal length.
    private static func sameLength(_ low: [UInt8], _ high: [UInt8]) -> GrammarExpression {
        guard let lowFirst = low.first, let highFirst = high.first else { return .empty }
        if low == high { return .bytes(low) }
        let lowRest = Array(low.dropFirst()), highRest = Array(high.dropFirst())
        if lowFirst == highFirst {
            return .concatenation([.bytes([lowFirst]), sameLength(lowRest, highRest)])
        }
        var options: [GrammarExpression] = []
        var middleLow = lowFirst, middleHigh = highFirst
        if !lowRest.allSatisfy({ $0 == 0x30 }) {
            options.append(.concatenation([.bytes([lowFirst]), sameLength(lowRest, Array(repeating: 0x39, count: lowRest.count))]))
            middleLow += 1
        }
        var tail: GrammarExpression?
        if !highRest.allSatisfy({ $0 == 0x39 }) {
            tail = .concatenation([.bytes([highFirst]), sameLength(Array(repeating: 0x30, count: highRest.count), highRest)])
            middleHigh -= 1
        }
        if middleLow <= middleHigh {
            let anyRest: GrammarExpression = lowRest.isEmpty ? .empty : .repetition(digit, min: lowRest.count, max: lowRest.count)
            let first: GrammarExpression = middleLow == middleHigh ? .bytes([middleLow]) : .byteRanges([middleLow...middleHigh])
            options.append(.concatenation([first, anyRest]))
        }
        if let tail { options.append(tail) }
        return .alternatives(options)
    }
}
