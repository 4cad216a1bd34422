/// A decimal number held as its digits, exactly, whatever its size: the bounds of a number
/// range grammar (``DecimalRangeGrammar``).
///
/// `integer` has no leading zeros (zero is `"0"`), `fraction` no trailing zeros, and zero is
/// never negative, so equal values have equal digits.
///
/// ```swift
/// DecimalDigits(2.25)        // integer "2", fraction "25"
/// DecimalDigits(1e-7)        // integer "0", fraction "0000001"
/// ```
struct DecimalDigits: Hashable, Comparable, CustomStringConvertible {
    private(set) var negative: Bool
    /// ASCII digits before the point.
    private(set) var integer: [UInt8]
    /// ASCII digits after the point.
    private(set) var fraction: [UInt8]

    static let zeroDigit = UInt8(ascii: "0")
    static let nineDigit = UInt8(ascii: "9")

    init(negative: Bool, integer: [UInt8], fraction: [UInt8]) {
        var integer = Array(integer.drop { $0 == Self.zeroDigit })
        if integer.isEmpty { integer = [Self.zeroDigit] }
        var fraction = fraction
        while fraction.last == Self.zeroDigit { fraction.removeLast() }
        self.integer = integer
        self.fraction = fraction
        self.negative = negative && !(integer == [Self.zeroDigit] && fraction.isEmpty)
    }

    init(_ value: Int64) {
        self.init(negative: value < 0, integer: Array(String(value.magnitude).utf8), fraction: [])
    }

    /// The shortest decimal that reads back as `value` (Swift's `description` digits), which
    /// must be finite.
    init(_ value: Double) {
        precondition(value.isFinite, "only finite doubles have decimal digits")
        // `description` writes e.g. "-1.5e-07", "100.0", "1e+16".
        var text = Substring(value.magnitude.description)
        var exponent = 0
        if let mark = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: mark)...].drop { $0 == "+" }) ?? 0
            text = text[..<mark]
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let whole = Array(parts[0].utf8), part = parts.count > 1 ? Array(parts[1].utf8) : []
        let digits = whole + part
        let point = whole.count + exponent
        if point <= 0 {
            self.init(negative: value < 0, integer: [], fraction: Array(repeating: Self.zeroDigit, count: -point) + digits)
        } else if point >= digits.count {
            self.init(negative: value < 0, integer: digits + Array(repeating: Self.zeroDigit, count: point - digits.count), fraction: [])
        } else {
            self.init(negative: value < 0, integer: Array(digits[..<point]), fraction: Array(digits[point...]))
        }
    }

    /// The largest number with `integerDigits` digits before the point and `fractionDigits`
    /// after it (9…9.9…9), negated when `negative`: the open end of a range.
    static func widest(integerDigits: Int, fractionDigits: Int, negative: Bool) -> DecimalDigits {
        DecimalDigits(negative: negative, integer: Array(repeating: nineDigit, count: integerDigits),
                      fraction: Array(repeating: nineDigit, count: fractionDigits))
    }

    var isZero: Bool { integer == [Self.zeroDigit] && fraction.isEmpty }

    /// The absolute value.
    var magnitude: DecimalDigits { DecimalDigits(negative: false, integer: integer, fraction: fraction) }

    /// The nearest number with at most `digits` digits after the point, rounding towards
    /// +∞ when `up`, else towards −∞.
    func rounded(toFractionDigits digits: Int, up: Bool) -> DecimalDigits {
        guard fraction.count > digits else { return self }
        let kept = Array(fraction[..<digits])
        // Dropping digits moves a positive number down and a negative one up; step the
        // magnitude by one unit in the last kept place when that went the wrong way.
        guard up != negative else { return DecimalDigits(negative: negative, integer: integer, fraction: kept) }
        let stepped = Self.incremented(integer + kept)
        let point = stepped.count - digits
        return DecimalDigits(negative: negative, integer: Array(stepped[..<point]), fraction: Array(stepped[point...]))
    }

    /// A digit string plus one (`"199"` → `"200"`, `"99"` → `"100"`).
    static func incremented(_ digits: [UInt8]) -> [UInt8] {
        var result = digits
        var index = result.count - 1
        while index >= 0 {
            if result[index] < nineDigit {
                result[index] += 1
                return result
            }
            result[index] = zeroDigit
            index -= 1
        }
        return [UInt8(ascii: "1")] + result
    }

    /// A positive digit string minus one, without a leading zero (`"100"` → `"99"`).
    static func decremented(_ digits: [UInt8]) -> [UInt8] {
        var result = digits
        var index = result.count - 1
        while index >= 0, result[index] == zeroDigit {
            result[index] = nineDigit
            index -= 1
        }
        precondition(index >= 0, "zero has no predecessor among the natural numbers")
        result[index] -= 1
        let trimmed = Array(result.drop { $0 == zeroDigit })
        return trimmed.isEmpty ? [zeroDigit] : trimmed
    }

    /// Orders digit strings without leading zeros by value.
    static func integerPrecedes(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        lhs.count != rhs.count ? lhs.count < rhs.count : lhs.lexicographicallyPrecedes(rhs)
    }

    static func < (lhs: DecimalDigits, rhs: DecimalDigits) -> Bool {
        if lhs.negative != rhs.negative { return lhs.negative }
        let (small, large) = lhs.negative ? (rhs, lhs) : (lhs, rhs)
        if small.integer != large.integer { return integerPrecedes(small.integer, large.integer) }
        // No trailing zeros: a shorter fraction that is a prefix of the other is smaller.
        return small.fraction.lexicographicallyPrecedes(large.fraction)
    }

    var description: String {
        (negative ? "-" : "") + String(decoding: integer, as: UTF8.self)
            + (fraction.isEmpty ? "" : "." + String(decoding: fraction, as: UTF8.self))
    }
}
