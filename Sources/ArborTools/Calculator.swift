import ArborSchema
import Foundation

/// The `calculator` built-in: parses and evaluates an arithmetic expression.
///
/// `+ - * /`, `%` (remainder with the sign of the divisor), `^` (right-associative), unary
/// minus, parentheses, the constants `pi` and `e`, and the functions `sqrt abs round floor
/// ceil min max ln log log10 log2 exp sin cos tan`.
///
/// Exactness: numbers are exact fractions of 64-bit integers, so `0.1 + 0.2` is exactly
/// `3/10` and `1/3 * 3` is exactly 1. Integer powers, `%`, `abs`, `floor`, `ceil`, `round`,
/// `min`, `max` and the square root of a perfect square stay exact. Irrational functions and
/// constants, non-integer powers and anything that overflows 64 bits fall back to `Double`,
/// and the result then says `"exact": false`.
///
/// ```swift
/// try Calculator.evaluate("0.1 + 0.2")   // .exact(3/10)
/// try Calculator.evaluate("sqrt(2)")     // .approximate(1.4142135623730951)
/// ```
enum Calculator {
    enum Number: Equatable {
        case exact(Rational)
        case approximate(Double)

        var doubleValue: Double {
            switch self {
            case .exact(let r): return r.doubleValue
            case .approximate(let d): return d
            }
        }

        /// `{"result": 0.3, "exact": true, "fraction": "3/10", "decimal": "0.3"}`.
        var json: JSONValue {
            switch self {
            case .exact(let r) where r.isInteger:
                return ["result": .integer(r.numerator), "exact": true]
            case .exact(let r):
                var object: JSONObject = ["result": .number(r.doubleValue), "exact": true, "fraction": .string(r.description)]
                if let decimal = r.decimalString { object["decimal"] = .string(decimal) }
                return .object(object)
            case .approximate(let d):
                if d == d.rounded(), abs(d) < 9e15 { return ["result": .integer(Int64(d)), "exact": false] }
                return ["result": .number(d), "exact": false]
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let message: String
        let offset: Int
        var description: String { offset >= 0 ? "\(message) (at character \(offset + 1))" : message }
    }

    static func evaluate(_ expression: String) throws(Failure) -> Number {
        var parser = Parser(text: Array(expression.unicodeScalars))
        let value = try parser.parseExpression()
        parser.skipSpaces()
        guard parser.position == parser.text.count else {
            throw Failure(message: "unexpected '\(parser.text[parser.position])'", offset: parser.position)
        }
        if case .approximate(let d) = value, !d.isFinite {
            throw Failure(message: "the result is not a finite number", offset: -1)
        }
        return value
    }

    /// A recursive-descent parser that evaluates as it goes.
    /// expression := term (('+'|'-') term)*; term := unary (('*'|'/'|'%') unary)*;
    /// unary := '-' unary | '+' unary | power; power := primary ('^' unary)?
    private struct Parser {
        let text: [Unicode.Scalar]
        var position = 0
        var depth = 0

        mutating func skipSpaces() {
            while position < text.count, text[position].properties.isWhitespace { position += 1 }
        }

        mutating func peek() -> Unicode.Scalar? {
            skipSpaces()
            return position < text.count ? text[position] : nil
        }

        mutating func parseExpression() throws(Failure) -> Number {
            depth += 1
            defer { depth -= 1 }
            guard depth < 200 else { throw Failure(message: "the expression is nested too deeply", offset: position) }
            var value = try parseTerm()
            while let op = peek(), op == "+" || op == "-" {
                position += 1
                let rhs = try parseTerm()
                value = op == "+" ? add(value, rhs) : add(value, negate(rhs))
            }
            return value
        }

        mutating func parseTerm() throws(Failure) -> Number {
            var value = try parseUnary()
            while let op = peek(), op == "*" || op == "/" || op == "%" || op == "×" || op == "÷" {
                let at = position
                position += 1
                let rhs = try parseUnary()
                switch op {
                case "*", "×": value = multiply(value, rhs)
                case "/", "÷": value = try divide(value, rhs, at: at)
                default: value = try remainder(value, rhs, at: at)
                }
            }
            return value
        }

        mutating func parseUnary() throws(Failure) -> Number {
            if let op = peek(), op == "-" || op == "+" {
                position += 1
                depth += 1
                defer { depth -= 1 }
                guard depth < 200 else { throw Failure(message: "the expression is nested too deeply", offset: position) }
                let value = try parseUnary()
                return op == "-" ? negate(value) : value
            }
            return try parsePower()
        }

        mutating func parsePower() throws(Failure) -> Number {
            let base = try parsePrimary()
            guard peek() == "^" else { return base }
            let at = position
            position += 1
            depth += 1
            defer { depth -= 1 }
            guard depth < 200 else { throw Failure(message: "the expression is nested too deeply", offset: position) }
            let exponent = try parseUnary()
            return try power(base, exponent, at: at)
        }

        mutating func parsePrimary() throws(Failure) -> Number {
            guard let c = peek() else { throw Failure(message: "the expression ends where a number was expected", offset: position) }
            if c == "(" {
                position += 1
                let value = try parseExpression()
                guard peek() == ")" else { throw Failure(message: "missing ')'", offset: position) }
                position += 1
                return value
            }
            if c.properties.numericType != nil && c.isASCII || c == "." { return try parseNumber() }
            if c.properties.isAlphabetic {
                let start = position
                while position < text.count, text[position].properties.isAlphabetic || ("0"..."9").contains(text[position]) { position += 1 }
                let name = String(String.UnicodeScalarView(text[start..<position])).lowercased()
                if peek() == "(" {
                    position += 1
                    var arguments: [Number] = []
                    if peek() != ")" {
                        arguments.append(try parseExpression())
                        while peek() == "," { position += 1; arguments.append(try parseExpression()) }
                    }
                    guard peek() == ")" else { throw Failure(message: "missing ')' after the arguments of \(name)", offset: position) }
                    position += 1
                    return try apply(name, arguments, at: start)
                }
                switch name {
                case "pi": return .approximate(Double.pi)
                case "e": return .approximate(M_E)
                default: throw Failure(message: "unknown name '\(name)'", offset: start)
                }
            }
            throw Failure(message: "unexpected '\(c)'", offset: position)
        }

        mutating func parseNumber() throws(Failure) -> Number {
            let start = position
            while position < text.count, ("0"..."9").contains(text[position]) || text[position] == "." || text[position] == "_" { position += 1 }
            if position < text.count, text[position] == "e" || text[position] == "E" {
                var look = position + 1
                if look < text.count, text[look] == "+" || text[look] == "-" { look += 1 }
                if look < text.count, ("0"..."9").contains(text[look]) {
                    position = look
                    while position < text.count, ("0"..."9").contains(text[position]) { position += 1 }
                }
            }
            let literal = String(String.UnicodeScalarView(text[start..<position])).replacingOccurrences(of: "_", with: "")
            guard literal.filter({ $0 == "." }).count <= 1, literal != "." else {
                throw Failure(message: "'\(literal)' is not a number", offset: start)
            }
            if let exact = Rational(decimal: Substring(literal)) { return .exact(exact) }
            guard let double = Double(literal) else { throw Failure(message: "'\(literal)' is not a number", offset: start) }
            return .approximate(double)
        }

        func apply(_ name: String, _ arguments: [Number], at offset: Int) throws(Failure) -> Number {
            func one() throws(Failure) -> Number {
                guard arguments.count == 1 else { throw Failure(message: "\(name) takes one argument, not \(arguments.count)", offset: offset) }
                return arguments[0]
            }
            func real(_ f: (Double) -> Double) throws(Failure) -> Number { .approximate(f(try one().doubleValue)) }
            switch name {
            case "abs":
                let x = try one()
                if case .exact(let r) = x { return r.numerator < 0 ? negate(x) : x }
                return .approximate(abs(x.doubleValue))
            case "floor", "ceil", "round":
                let x = try one()
                if case .exact(let r) = x {
                    switch name {
                    case "floor": return .exact(r.floor)
                    case "ceil": return .exact(r.ceil)
                    default:  // half away from zero
                        let half = Rational(1, 2)!
                        return r.numerator >= 0 ? (r + half).map { .exact($0.floor) } ?? .approximate(x.doubleValue.rounded())
                                                : (r - half).map { .exact($0.ceil) } ?? .approximate(x.doubleValue.rounded())
                    }
                }
                let d = x.doubleValue
                return .approximate(name == "floor" ? d.rounded(.down) : name == "ceil" ? d.rounded(.up) : d.rounded())
            case "min", "max":
                guard !arguments.isEmpty else { throw Failure(message: "\(name) needs at least one argument", offset: offset) }
                return arguments.dropFirst().reduce(arguments[0]) { best, x in
                    let less = compare(x, best)
                    return (name == "min" ? less : !less && x != best) ? x : best
                }
            case "sqrt":
                let x = try one()
                guard x.doubleValue >= 0 else { throw Failure(message: "sqrt of a negative number", offset: offset) }
                if case .exact(let r) = x, let root = r.exactSquareRoot { return .exact(root) }
                return .approximate(x.doubleValue.squareRoot())
            case "ln", "log":
                guard try one().doubleValue > 0 else { throw Failure(message: "\(name) of a number that is not positive", offset: offset) }
                return try real { Foundation.log($0) }
            case "log10":
                guard try one().doubleValue > 0 else { throw Failure(message: "log10 of a number that is not positive", offset: offset) }
                return try real { Foundation.log10($0) }
            case "log2":
                guard try one().doubleValue > 0 else { throw Failure(message: "log2 of a number that is not positive", offset: offset) }
                return try real { Foundation.log2($0) }
            case "exp": return try real { Foundation.exp($0) }
            case "sin": return try real { Foundation.sin($0) }
            case "cos": return try real { Foundation.cos($0) }
            case "tan": return try real { Foundation.tan($0) }
            default:
                throw Failure(message: "unknown function '\(name)'", offset: offset)
            }
        }

        /// Whether a < b.
        func compare(_ a: Number, _ b: Number) -> Bool {
            if case .exact(let x) = a, case .exact(let y) = b, let difference = x - y { return difference.numerator < 0 }
            return a.doubleValue < b.doubleValue
        }

        func negate(_ a: Number) -> Number {
            if case .exact(let r) = a, let n = -r { return .exact(n) }
            return .approximate(-a.doubleValue)
        }

        func add(_ a: Number, _ b: Number) -> Number {
            if case .exact(let x) = a, case .exact(let y) = b, let sum = x + y { return .exact(sum) }
            return .approximate(a.doubleValue + b.doubleValue)
        }

        func multiply(_ a: Number, _ b: Number) -> Number {
            if case .exact(let x) = a, case .exact(let y) = b, let product = x * y { return .exact(product) }
            return .approximate(a.doubleValue * b.doubleValue)
        }

        func divide(_ a: Number, _ b: Number, at offset: Int) throws(Failure) -> Number {
            guard b.doubleValue != 0 else { throw Failure(message: "division by zero", offset: offset) }
            if case .exact(let x) = a, case .exact(let y) = b, let quotient = x / y { return .exact(quotient) }
            return .approximate(a.doubleValue / b.doubleValue)
        }

        /// `a - b * floor(a / b)`: the sign follows the divisor, as in Python.
        func remainder(_ a: Number, _ b: Number, at offset: Int) throws(Failure) -> Number {
            guard b.doubleValue != 0 else { throw Failure(message: "remainder of a division by zero", offset: offset) }
            if case .exact(let x) = a, case .exact(let y) = b, let q = x / y, let p = q.floor * y, let r = x - p { return .exact(r) }
            let x = a.doubleValue, y = b.doubleValue
            return .approximate(x - y * (x / y).rounded(.down))
        }

        func power(_ base: Number, _ exponent: Number, at offset: Int) throws(Failure) -> Number {
            if case .exact(let e) = exponent, e.isInteger {
                if case .exact(let b) = base {
                    if b.numerator == 0 && e.numerator < 0 { throw Failure(message: "zero raised to a negative power", offset: offset) }
                    if let exact = b.power(e.numerator) { return .exact(exact) }
                }
                return .approximate(Foundation.pow(base.doubleValue, exponent.doubleValue))
            }
            if base.doubleValue < 0 { throw Failure(message: "a negative number raised to a fractional power", offset: offset) }
            if case .exact(let b) = base, case .exact(let e) = exponent, e.denominator == 2, let root = b.exactSquareRoot, let exact = root.power(e.numerator) {
                return .exact(exact)
            }
            return .approximate(Foundation.pow(base.doubleValue, exponent.doubleValue))
        }
    }
}
