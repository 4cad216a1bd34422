/// A set of Unicode scalar values stored as sorted, disjoint, non-adjacent closed ranges.
///
/// Character classes, `.`, `\d` and literals all become one of these; the DFA's transitions
/// are labelled with their ranges. Surrogate code points (U+D800–U+DFFF) are never members,
/// because they are not Unicode scalars and cannot occur in a Swift `String`.
///
/// ```swift
/// let digitsOrX = ScalarRangeSet(ranges: [0x30...0x39]).union(ScalarRangeSet(scalar: "x"))
/// digitsOrX.contains(0x35)  // true
/// digitsOrX.inverted.contains(0x35)  // false
/// ```
public struct ScalarRangeSet: Sendable, Hashable, CustomStringConvertible {
    /// The ranges in increasing order; no two overlap or touch.
    public private(set) var ranges: [ClosedRange<UInt32>]

    public static let surrogates: ClosedRange<UInt32> = 0xD800...0xDFFF
    /// Every Unicode scalar.
    public static let all = ScalarRangeSet(ranges: [0...0x10FFFF])
    public static let empty = ScalarRangeSet(ranges: [])

    /// Builds a set from any ranges (unsorted, overlapping); surrogates are removed.
    public init(ranges: [ClosedRange<UInt32>]) {
        var merged: [ClosedRange<UInt32>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        self.ranges = []
        for range in merged {
            if range.upperBound < Self.surrogates.lowerBound || range.lowerBound > Self.surrogates.upperBound {
                self.ranges.append(range)
                continue
            }
            if range.lowerBound < Self.surrogates.lowerBound {
                self.ranges.append(range.lowerBound...(Self.surrogates.lowerBound - 1))
            }
            if range.upperBound > Self.surrogates.upperBound {
                self.ranges.append((Self.surrogates.upperBound + 1)...range.upperBound)
            }
        }
    }

    public init(scalar: Unicode.Scalar) {
        self.init(ranges: [scalar.value...scalar.value])
    }

    public var isEmpty: Bool { ranges.isEmpty }

    public func contains(_ value: UInt32) -> Bool {
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].upperBound < value {
                low = middle + 1
            } else if ranges[middle].lowerBound > value {
                high = middle
            } else {
                return true
            }
        }
        return false
    }

    public func union(_ other: ScalarRangeSet) -> ScalarRangeSet {
        ScalarRangeSet(ranges: ranges + other.ranges)
    }

    /// Every scalar not in this set.
    public var inverted: ScalarRangeSet {
        var result: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in ranges {
            if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
            next = range.upperBound + 1
        }
        if next <= 0x10FFFF { result.append(next...0x10FFFF) }
        return ScalarRangeSet(ranges: result)
    }

    public var description: String {
        "[" + ranges.map { range in
            range.lowerBound == range.upperBound ? Self.show(range.lowerBound) : Self.show(range.lowerBound) + "-" + Self.show(range.upperBound)
        }.joined(separator: ",") + "]"
    }

    private static func show(_ value: UInt32) -> String {
        if value > 0x20, value < 0x7F, let scalar = Unicode.Scalar(value) { return String(scalar) }
        return "U+" + String(value, radix: 16, uppercase: true)
    }

    // MARK: ECMA-262 classes

    /// `\d`: ASCII digits.
    public static let digits = ScalarRangeSet(ranges: [0x30...0x39])
    /// `\w`: ASCII letters, digits and underscore.
    public static let wordCharacters = ScalarRangeSet(ranges: [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
    /// `\s`: ECMA-262 WhiteSpace and LineTerminator.
    public static let whitespace = ScalarRangeSet(ranges: [
        0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A,
        0x2028...0x2029, 0x202F...0x202F, 0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF,
    ])
    /// `.`: everything except the line terminators \n, \r, U+2028 and U+2029.
    public static let dot = ScalarRangeSet(ranges: [0x0A...0x0A, 0x0D...0x0D, 0x2028...0x2029]).inverted
}
