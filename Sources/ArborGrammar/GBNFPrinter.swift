import ArborSchema

extension Grammar {
    /// The grammar in llama.cpp's GBNF notation, root rule first, so it can be compared with
    /// (or fed to) llama.cpp.
    ///
    /// Two elements have no GBNF equivalent and print as the nearest GBNF:
    /// - a ``GrammarExpression/hole(name:)`` prints as `hole-value`, a generic JSON value
    ///   rule appended at the end (what the runtime may insert there);
    /// - a ``GrammarExpression/budgeted(_:)`` part prints as its body, and a leading comment
    ///   states the budget the matcher enforces.
    public var gbnf: String {
        var printer = GBNFPrinter(grammar: self)
        return printer.print()
    }
}

/// Writes a ``Grammar`` as GBNF text.
struct GBNFPrinter {
    let grammar: Grammar
    private var usesHole = false

    init(grammar: Grammar) {
        self.grammar = grammar
    }

    mutating func print() -> String {
        var lines: [String] = []
        if let limit = grammar.budgetLimit {
            lines.append("# budgeted parts may be entered at most \(limit) times (enforced by the matcher)")
        }
        let order = [grammar.root] + grammar.rules.indices.map(RuleID.init).filter { $0 != grammar.root }
        for id in order where grammar[id].body != .nothing || id == grammar.root {
            let rule = grammar[id]
            lines.append("\(rule.name) ::= \(expression(rule.body, context: .top))")
        }
        if usesHole {
            lines.append("# hole-value: any JSON text, inserted by the runtime at a hole")
            lines += Self.jsonValueRules
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Generic JSON rules for holes, named `hole-*` so they cannot clash with the grammar's own.
    static let jsonValueRules = [
        #"hole-value ::= hole-object | hole-array | hole-string | hole-number | "true" | "false" | "null""#,
        #"hole-object ::= "{" hole-ws ( hole-string hole-ws ":" hole-ws hole-value hole-ws ( "," hole-ws hole-string hole-ws ":" hole-ws hole-value hole-ws )* )? "}""#,
        #"hole-array ::= "[" hole-ws ( hole-value hole-ws ( "," hole-ws hole-value hole-ws )* )? "]""#,
        #"hole-string ::= "\"" ( [^"\\\x00-\x1f] | "\\" ( ["\\/bfnrt] | "u" [0-9a-fA-F]{4} ) )* "\"""#,
        #"hole-number ::= "-"? ( "0" | [1-9] [0-9]* ) ( "." [0-9]+ )? ( [eE] [-+]? [0-9]+ )?"#,
        #"hole-ws ::= [ \t\n\r]*"#,
    ]

    private enum Context { case top, sequence, postfix }

    private mutating func expression(_ expression: GrammarExpression, context: Context) -> String {
        switch expression {
        case .empty:
            return "\"\""
        case .bytes(let bytes):
            return Self.literal(bytes)
        case .byteRanges(let ranges):
            return Self.characterClass(ranges.map { UInt32($0.lowerBound)...UInt32($0.upperBound) }, negated: false)
        case .scalars(let set):
            let inverted = set.inverted
            if inverted.ranges.count < set.ranges.count, !inverted.isEmpty {
                return Self.characterClass(inverted.ranges, negated: true)
            }
            return Self.characterClass(set.ranges, negated: false)
        case .sequence(let parts):
            let text = parts.map { self.expression($0, context: .sequence) }.joined(separator: " ")
            return context == .postfix ? "( \(text) )" : text
        case .choice(let options):
            let text = options.map { self.expression($0, context: .top) }.joined(separator: " | ")
            return context == .top ? text : "( \(text) )"
        case let .repetition(body, min, max):
            let operand = self.expression(body, context: .postfix)
            switch (min, max) {
            case (0, 1?): return operand + "?"
            case (0, nil): return operand + "*"
            case (1, nil): return operand + "+"
            case (let low, nil): return operand + "{\(low),}"
            case (let low, let high?) where low == high: return operand + "{\(low)}"
            case (let low, let high?): return operand + "{\(low),\(high)}"
            }
        case .rule(let id):
            return grammar[id].name
        case .hole:
            usesHole = true
            return "hole-value"
        case .budgeted(let body):
            return self.expression(body, context: context)
        }
    }

    /// A double-quoted GBNF string; bytes that are not UTF-8 print as a class of one byte.
    static func literal(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard Array(text.utf8) == bytes else {
            return bytes.map { "[\\x" + hex($0) + "]" }.joined(separator: " ")
        }
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\x" + hex(UInt8(scalar.value))
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    static func characterClass(_ ranges: [ClosedRange<UInt32>], negated: Bool) -> String {
        if !negated, ranges.count == 1, ranges[0].lowerBound == ranges[0].upperBound, ranges[0].lowerBound < 0x80 {
            return literal([UInt8(ranges[0].lowerBound)])
        }
        var result = negated ? "[^" : "["
        for range in ranges {
            result += classMember(range.lowerBound)
            if range.upperBound != range.lowerBound {
                if range.upperBound != range.lowerBound + 1 { result += "-" }
                result += classMember(range.upperBound)
            }
        }
        return result + "]"
    }

    private static func classMember(_ value: UInt32) -> String {
        switch value {
        case 0x5C: return "\\\\"
        case 0x5D: return "\\]"
        case 0x5B: return "\\["
        case 0x5E: return "\\^"
        case 0x2D: return "\\-"
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0x21..<0x7F, 0x20: return String(Unicode.Scalar(UInt8(value)))
        case 0..<0x80: return "\\x" + hex(UInt8(value))
        case 0x80...0xFFFF: return "\\u" + padded(value, 4)
        default: return "\\U" + padded(value, 8)
        }
    }

    private static func hex(_ byte: UInt8) -> String { padded(UInt32(byte), 2) }

    private static func padded(_ value: UInt32, _ width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
