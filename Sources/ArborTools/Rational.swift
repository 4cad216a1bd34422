/// An exact fraction of two 64-bit integers, always in lowest terms with a positive
/// denominator. Every operation returns nil on overflow; the calculator then falls back to
/// `Double` and reports the result as inexact.
struct Rational: Sendable, Equatable {
    let numerator: Int64
    let denominator: Int64

    init?(_ numerator: Int64, _ denominator: Int64 = 1) {
        guard denominator != 0, numerator != .min, denominator != .min else { return nil }
        let divisor = Rational.gcd(numerator.magnitude, denominator.magnitude)
        var n = numerator / Int64(divisor), d = denominator / Int64(divisor)
        if d < 0 { n = -n; d = -d }
        self.numerator = n
        self.denominator = d
    }

    /// The exact value of a decimal literal such as `12.5e-3`, or nil when it needs more than 64 bits.
    init?(decimal text: Substring) {
        var mantissa = text, exponent: Int64 = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let parsed = Int64(text[text.index(after: e)...]) else { return nil }
            exponent = parsed
            mantissa = text[..<e]
        }
        var digits = ""
        if let dot = mantissa.firstIndex(of: ".") {
            let fraction = mantissa[mantissa.index(after: dot)...]
            digits = String(mantissa[..<dot]) + fraction
            exponent -= Int64(fraction.count)
        } else {
            digits = String(mantissa)
        }
        guard let integer = Int64(digits.isEmpty ? "0" : digits), abs(exponent) <= 18 else { return nil }
        let scale = Rational.powerOfTen(Int(abs(exponent)))
        if exponent >= 0 {
            let (product, overflow) = integer.multipliedReportingOverflow(by: scale)
            guard !overflow else { return nil }
            self.init(product)
        } else {
            self.init(integer, scale)
        }
    }

    var isInteger: Bool { denominator == 1 }
    var doubleValue: Double { Double(numerator) / Double(denominator) }

    static func + (a: Rational, b: Rational) -> Rational? {
        guard let left = multiply(a.numerator, b.denominator), let right = multiply(b.numerator, a.denominator),
              let denominator = multiply(a.denominator, b.denominator) else { return nil }
        let (sum, overflow) = left.addingReportingOverflow(right)
        return overflow ? nil : Rational(sum, denominator)
    }

    static prefix func - (a: Rational) -> Rational? { Rational(-a.numerator, a.denominator) }

    static func - (a: Rational, b: Rational) -> Rational? { (-b).flatMap { a + $0 } }

    static func * (a: Rational, b: Rational) -> Rational? {
        // Cross-reduce first so products stay small.
        let g1 = Int64(gcd(a.numerator.magnitude, b.denominator.magnitude)), g2 = Int64(gcd(b.numerator.magnitude, a.denominator.magnitude))
        guard let n = multiply(a.numerator / max(g1, 1), b.numerator / max(g2, 1)),
              let d = multiply(a.denominator / max(g2, 1), b.denominator / max(g1, 1)) else { return nil }
        return Rational(n, d)
    }

    /// nil also for division by zero; the caller reports that separately.
    static func / (a: Rational, b: Rational) -> Rational? {
        guard b.numerator != 0, let inverse = Rational(b.denominator, b.numerator) else { return nil }
        return a * inverse
    }

    /// `a^n` for an integer exponent, by repeated squaring.
    func power(_ exponent: Int64) -> Rational? {
        if exponent < 0 {
            guard numerator != 0, let inverse = Rational(denominator, numerator) else { return nil }
            return exponent == .min ? nil : inverse.power(-exponent)
        }
        var result = Rational(1)!, base = self, e = exponent
        while e > 0 {
            if e & 1 == 1 { guard let r = result * base else { return nil }; result = r }
            e >>= 1
            if e > 0 { guard let b = base * base else { return nil }; base = b }
        }
        return result
    }

    /// The greatest integer not above the value.
    var floor: Rational {
        let q = numerator / denominator
        return Rational(numerator % denominator != 0 && numerator < 0 ? q - 1 : q)!
    }

    var ceil: Rational {
        let q = numerator / denominator
        return Rational(numerator % denominator != 0 && numerator > 0 ? q + 1 : q)!
    }

    /// The exact square root when numerator and denominator are perfect squares.
    var exactSquareRoot: Rational? {
        guard numerator >= 0, let n = Rational.integerSquareRoot(numerator), let d = Rational.integerSquareRoot(denominator) else { return nil }
        return Rational(n, d)
    }

    /// The value as a terminating decimal (`0.375`), or nil when it repeats (`1/3`).
    var decimalString: String? {
        var d = denominator, twos = 0, fives = 0
        while d % 2 == 0 { d /= 2; twos += 1 }
        while d % 5 == 0 { d /= 5; fives += 1 }
        guard d == 1 else { return nil }
        let places = max(twos, fives)
        guard places <= 18, let scaled = Rational.multiply(numerator, Rational.powerOfTen(places) / denominator) else { return nil }
        let sign = scaled < 0 ? "-" : ""
        var digits = String(scaled.magnitude)
        guard places > 0 else { return sign + digits }
        if digits.count <= places { digits = String(repeating: "0", count: places - digits.count + 1) + digits }
        digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -places))
        return sign + digits
    }

    var description: String { isInteger ? String(numerator) : "\(numerator)/\(denominator)" }

    private static func multiply(_ a: Int64, _ b: Int64) -> Int64? {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : p
    }

    private static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a == 0 ? 1 : a
    }

    private static func powerOfTen(_ n: Int) -> Int64 {
        (0..<n).reduce(Int64(1)) { value, _ in value * 10 }
    }

    private static func integerSquareRoot(_ value: Int64) -> Int64? {
        var root = Int64(Double(value).squareRoot())
        while root * root > value { root -= 1 }
        while case let (next, overflow) = (root + 1).multipliedReportingOverflow(by: root + 1), !overflow, next <= value { root += 1 }
        return root * root == value ? root : nil
    }
}
