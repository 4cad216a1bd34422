import Foundation

extension ProseProgram {
    /// Python's arithmetic expressions over numbers, strings and the program's variables, with
    /// Python's types: `7 / 2` is `3.5`, `7 // 2` is `3`, `2 ** 3` is `8`, `-7 % 3` is `2`.
    /// Nil for anything it does not know (an unknown name or function, an int overflow).
    enum ExpressionParser {
        enum Token: Equatable {
            case number(ProseProgram.Value)
            case string(String, formatted: Bool)
            case name(String)
            case op(String)
        }

        static func evaluate(_ text: String, variables: [String: Value]) -> Value? {
            guard let tokens = tokenize(text) else { return nil }
            var parser = Parser(tokens: tokens, variables: variables)
            guard let value = parser.expression(), parser.position == tokens.count else { return nil }
            return value
        }

        /// The values of a call's comma-separated arguments (`print`'s); no keyword arguments.
        static func arguments(of text: String, variables: [String: Value]) -> [Value]? {
            guard let tokens = tokenize(text) else { return nil }
            if tokens.isEmpty { return [] }
            var parser = Parser(tokens: tokens, variables: variables)
            guard let values = parser.list(), parser.position == tokens.count else { return nil }
            return values
        }

        static func tokenize(_ text: String) -> [Token]? {
            let characters = Array(text)
            var tokens: [Token] = []
            var index = 0
            while index < characters.count {
                let character = characters[index]
                if character.isWhitespace { index += 1; continue }
                if character.isASCII && character.isNumber || (character == "." && index + 1 < characters.count && characters[index + 1].isNumber) {
                    var literal = ""
                    while index < characters.count, characters[index].isASCII,
                          characters[index].isNumber || characters[index] == "." || characters[index] == "_"
                            || ((characters[index] == "e" || characters[index] == "E") && index + 1 < characters.count
                                && (characters[index + 1].isNumber || characters[index + 1] == "-" || characters[index + 1] == "+"))
                            || ((characters[index] == "-" || characters[index] == "+") && (literal.last == "e" || literal.last == "E")) {
                        if characters[index] != "_" { literal.append(characters[index]) }
                        index += 1
                    }
                    if !literal.contains("."), !literal.lowercased().contains("e"), let int = Int64(literal) {
                        tokens.append(.number(.int(int)))
                    } else if let double = Double(literal) {
                        tokens.append(.number(.float(double)))
                    } else {
                        return nil
                    }
                    continue
                }
                let formatted = (character == "f" || character == "F") && index + 1 < characters.count
                    && (characters[index + 1] == "\"" || characters[index + 1] == "'")
                if character == "\"" || character == "'" || formatted {
                    let quote = formatted ? characters[index + 1] : character
                    index += formatted ? 2 : 1
                    var content = ""
                    while index < characters.count, characters[index] != quote {
                        content.append(characters[index])
                        index += 1
                    }
                    guard index < characters.count, !content.contains("\\") else { return nil }
                    index += 1
                    tokens.append(.string(content, formatted: formatted))
                    continue
                }
                if character.isLetter || character == "_" {
                    var name = ""
                    while index < characters.count, characters[index].isASCII,
                          characters[index].isLetter || characters[index].isNumber || characters[index] == "_" || characters[index] == "." {
                        name.append(characters[index])
                        index += 1
                    }
                    tokens.append(.name(name))
                    continue
                }
                let two = index + 1 < characters.count ? String(characters[index...index + 1]) : ""
                if two == "**" || two == "//" {
                    tokens.append(.op(two))
                    index += 2
                    continue
                }
                guard "+-*/%(),".contains(character) else { return nil }
                tokens.append(.op(String(character)))
                index += 1
            }
            return tokens
        }

        /// `a op b` with Python's types.
        static func apply(_ op: String, _ a: Value, _ b: Value) -> Value? {
            if case .string(let x) = a, case .string(let y) = b { return op == "+" ? .string(x + y) : nil }
            if case .int(let x) = a, case .int(let y) = b {
                switch op {
                case "+": return checked(x.addingReportingOverflow(y))
                case "-": return checked(x.subtractingReportingOverflow(y))
                case "*": return checked(x.multipliedReportingOverflow(by: y))
                case "//": return y == 0 ? nil : .int(Int64((Double(x) / Double(y)).rounded(.down)))
                case "%": return y == 0 ? nil : .int(((x % y) + y) % y)
                case "**" where y >= 0:
                    var result: Int64 = 1
                    for _ in 0..<min(y, 64) {
                        let (product, overflow) = result.multipliedReportingOverflow(by: x)
                        if overflow { return nil }
                        result = product
                    }
                    return y > 64 && abs(x) > 1 ? nil : .int(result)
                default: break
                }
            }
            guard let x = a.double, let y = b.double else { return nil }
            switch op {
            case "+": return .float(x + y)
            case "-": return .float(x - y)
            case "*": return .float(x * y)
            case "/": return y == 0 ? nil : .float(x / y)
            case "//": return y == 0 ? nil : .float((x / y).rounded(.down))
            case "%": return y == 0 ? nil : .float(x - y * (x / y).rounded(.down))
            case "**": return .float(pow(x, y))
            default: return nil
            }
        }

        private static func checked(_ result: (partialValue: Int64, overflow: Bool)) -> Value? {
            result.overflow ? nil : .int(result.partialValue)
        }

        /// `name(arguments)` for the functions the interpreter knows.
        static func call(_ name: String, _ arguments: [Value]) -> Value? {
            let numbers = arguments.compactMap(\.double)
            guard numbers.count == arguments.count else { return nil }
            switch (name, arguments.count) {
            case ("round", 1): return Int64(exactly: numbers[0].rounded(.toNearestOrEven)).map(Value.int)
            case ("round", 2):
                guard case .int(let places) = arguments[1], (0...12).contains(places) else { return nil }
                let scale = pow(10, Double(places))
                return .float((numbers[0] * scale).rounded(.toNearestOrEven) / scale)
            case ("int", 1): return Int64(exactly: numbers[0].rounded(.towardZero)).map(Value.int)
            case ("float", 1): return .float(numbers[0])
            case ("abs", 1):
                if case .int(let i) = arguments[0] { return i == .min ? nil : .int(abs(i)) }
                return .float(abs(numbers[0]))
            case ("min", 1...), ("max", 1...):
                let index = name == "min" ? numbers.indices.min(by: { numbers[$0] < numbers[$1] })! : numbers.indices.max(by: { numbers[$0] < numbers[$1] })!
                return arguments[index]
            case ("math.ceil", 1): return Int64(exactly: numbers[0].rounded(.up)).map(Value.int)
            case ("math.floor", 1): return Int64(exactly: numbers[0].rounded(.down)).map(Value.int)
            case ("math.sqrt", 1): return numbers[0] < 0 ? nil : .float(numbers[0].squareRoot())
            default: return nil
            }
        }

        /// An f-string's text with its `{expression}` and `{expression:format}` parts written in.
        static func format(_ template: String, variables: [String: Value]) -> String? {
            var result = ""
            var rest = Substring(template)
            while let brace = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
                result += rest[..<brace]
                let next = rest.index(after: brace)
                if next < rest.endIndex, rest[next] == rest[brace] {
                    result.append(rest[brace])
                    rest = rest[rest.index(after: next)...]
                    continue
                }
                guard rest[brace] == "{", let close = rest[next...].firstIndex(of: "}") else { return nil }
                let field = rest[next..<close]
                let parts = field.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                guard let value = evaluate(String(parts[0]), variables: variables),
                      let text = formatted(value, spec: parts.count > 1 ? String(parts[1]) : "") else { return nil }
                result += text
                rest = rest[rest.index(after: close)...]
            }
            return result + rest
        }

        /// `value` under a format spec: empty, `,`, `.Nf`, `,.Nf`.
        private static func formatted(_ value: Value, spec: String) -> String? {
            if spec.isEmpty { return value.printed }
            var spec = Substring(spec)
            let grouped = spec.first == ","
            if grouped { spec = spec.dropFirst() }
            var text: String
            if spec.isEmpty {
                text = value.printed
            } else if spec.hasPrefix("."), spec.hasSuffix("f"), let places = Int(spec.dropFirst().dropLast()), (0...12).contains(places),
                      let number = value.double {
                text = String(format: "%.\(places)f", number)
            } else {
                return nil
            }
            if grouped {
                let negative = text.hasPrefix("-")
                let digits = negative ? String(text.dropFirst()) : text
                let parts = digits.split(separator: ".", maxSplits: 1)
                var whole = String(parts.first ?? "")
                var groups: [String] = []
                while whole.count > 3 { groups.insert(String(whole.suffix(3)), at: 0); whole = String(whole.dropLast(3)) }
                groups.insert(whole, at: 0)
                text = (negative ? "-" : "") + groups.joined(separator: ",") + (parts.count > 1 ? "." + parts[1] : "")
            }
            return text
        }
    }

    /// Recursive descent over the tokens: additive, multiplicative, unary, power, primary.
    struct Parser {
        let tokens: [ExpressionParser.Token]
        let variables: [String: Value]
        var position = 0

        private func peek(_ op: String) -> Bool { position < tokens.count && tokens[position] == .op(op) }

        mutating func list() -> [Value]? {
            var values: [Value] = []
            repeat {
                if !values.isEmpty { position += 1 }
                guard let value = expression() else { return nil }
                values.append(value)
            } while peek(",")
            return values
        }

        mutating func expression() -> Value? { binary(["+", "-"]) { $0.term() } }

        private mutating func term() -> Value? { binary(["*", "/", "//", "%"]) { $0.unary() } }

        /// One precedence level: `operand (op operand)*`, left to right.
        private mutating func binary(_ operators: [String], _ operand: (inout Parser) -> Value?) -> Value? {
            guard var value = operand(&self) else { return nil }
            while let op = operators.first(where: { peek($0) }) {
                position += 1
                guard let right = operand(&self), let combined = ExpressionParser.apply(op, value, right) else { return nil }
                value = combined
            }
            return value
        }

        private mutating func unary() -> Value? {
            if peek("-") {
                position += 1
                return unary().flatMap { ExpressionParser.apply("-", .int(0), $0) }
            }
            if peek("+") {
                position += 1
                return unary()
            }
            guard let base = primary() else { return nil }
            guard peek("**") else { return base }
            position += 1
            return unary().flatMap { ExpressionParser.apply("**", base, $0) }
        }

        private mutating func primary() -> Value? {
            guard position < tokens.count else { return nil }
            let token = tokens[position]
            position += 1
            switch token {
            case .number(let value):
                return value
            case .string(let text, let formatted):
                return formatted ? ExpressionParser.format(text, variables: variables).map(Value.string) : .string(text)
            case .name(let name):
                if peek("(") {
                    position += 1
                    var arguments: [Value] = []
                    if !peek(")") { guard let values = list() else { return nil }; arguments = values }
                    guard peek(")") else { return nil }
                    position += 1
                    return ExpressionParser.call(name, arguments)
                }
                if name == "math.pi" { return .float(Double.pi) }
                return variables[name]
            case .op("("):
                guard let value = expression(), peek(")") else { return nil }
                position += 1
                return value
            default:
                return nil
            }
        }
    }
}
