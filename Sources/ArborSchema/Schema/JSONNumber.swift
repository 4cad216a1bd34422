/// A JSON number kept as written: an exact 64-bit integer or a double.
///
/// Schema bounds (`minimum`, `multipleOf`, …) use this so that an integer bound beyond 2^53
/// compares exactly. Comparison between the two kinds is exact, never through a rounding
/// conversion.
///
/// ```swift
/// JSONNumber.integer(9007199254740993) > .double(9007199254740992)  // true
/// JSONNumber(JSONValue.number(2.5))  // .double(2.5)
/// ```
public enum JSONNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    case integer(Int64)
    case double(Double)

    /// The number in `value`, or nil if it is not a number.
    public init?(_ value: JSONValue) {
        switch value {
        case .integer(let i): self = .integer(i)
        case .number(let d): self = .double(d)
        default: return nil
        }
    }

    public var doubleValue: Double {
        switch self {
        case .integer(let i): return Double(i)
        case .double(let d): return d
        }
    }

    public var jsonValue: JSONValue {
        switch self {
        case .integer(let i): return .integer(i)
        case .double(let d): return .number(d)
        }
    }

    public var description: String { jsonValue.compactString }

    public static func < (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        switch (lhs, rhs) {
        case let (.integer(a), .integer(b)): return a < b
        case let (.double(a), .double(b)): return a < b
        case let (.integer(a), .double(b)): return compare(a, b) < 0
        case let (.double(a), .integer(b)): return compare(b, a) > 0
        }
    }

    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        switch (lhs, rhs) {
        case let (.integer(a), .integer(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.integer(a), .double(b)), let (.double(b), .integer(a)): return compare(a, b) == 0
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(jsonValue)
    }

    /// -1, 0 or 1 as `integer` is below, equal to or above `double`, exactly.
    private static func compare(_ integer: Int64, _ double: Double) -> Int {
        if double.isNaN { return 0 }
        if double >= 9223372036854775808.0 { return -1 }
        if double < -9223372036854775808.0 { return 1 }
        // `double` is now within Int64's range: compare integer parts, then the fraction.
        let whole = Int64(double.rounded(.down))
        if integer != whole { return integer < whole ? -1 : 1 }
        return double > Double(whole) ? -1 : 0
    }
}
