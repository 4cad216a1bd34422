import ArborSchema

/// The building blocks every JSON grammar shares, created once per grammar on first use.
///
/// Sharing them as rules (rather than inlining) keeps the compiled automaton small and lets
/// the token-mask cache compute the expensive "inside a string" position once.
extension SchemaGrammarBuilder {
    /// Creates the shared rule `name` on first use.
    mutating func shared(_ name: String, _ body: (inout SchemaGrammarBuilder) -> GrammarExpression) -> RuleID {
        if let existing = sharedRules[name] { return existing }
        let id = grammar.addRule(named: name)
        sharedRules[name] = id
        grammar.setBody(body(&self), of: id)
        return id
    }

    static let hexDigit: GrammarExpression = .byteRanges([0x30...0x39, 0x41...0x46, 0x61...0x66])
    static let digit: GrammarExpression = .byteRanges([0x30...0x39])
    static let nonZeroDigit: GrammarExpression = .byteRanges([0x31...0x39])

    /// One character of a JSON string: an unescaped scalar or an escape. `\u` escapes of
    /// surrogates are excluded, so every generated string decodes.
    var jsonCharRule: RuleID {
        mutating get {
            shared("json-char") { _ in
                let plain = GrammarExpression.scalars(ScalarRangeSet(ranges: [0x00...0x1F, 0x22...0x22, 0x5C...0x5C]).inverted)
                let short = GrammarExpression.byteRanges([0x22...0x22, 0x2F...0x2F, 0x5C...0x5C, 0x62...0x62, 0x66...0x66, 0x6E...0x6E, 0x72...0x72, 0x74...0x74])
                let nonSurrogate = GrammarExpression.choice([
                    .concatenation([.byteRanges([0x30...0x39, 0x41...0x43, 0x45...0x46, 0x61...0x63, 0x65...0x66]), .repetition(Self.hexDigit, min: 3, max: 3)]),
                    .concatenation([.byteRanges([0x44...0x44, 0x64...0x64]), .byteRanges([0x30...0x37]), .repetition(Self.hexDigit, min: 2, max: 2)]),
                ])
                return .choice([plain, .concatenation([.literal("\\"), .choice([short, .concatenation([.literal("u"), nonSurrogate])])])])
            }
        }
    }

    /// Any JSON string, quotes included.
    var jsonStringRule: RuleID {
        mutating get {
            let char = jsonCharRule
            return shared("json-string") { _ in .concatenation([.literal("\""), .star(.rule(char)), .literal("\"")]) }
        }
    }

    /// `-?(0|[1-9][0-9]{0,n})`, n + 1 being ``SchemaGrammarOptions/maximumIntegerDigits``.
    var jsonIntegerRule: RuleID {
        mutating get {
            shared("json-integer") { $0.unsignedInteger(signed: true) }
        }
    }

    /// `0|[1-9][0-9]{0,n}` with at most ``SchemaGrammarOptions/maximumIntegerDigits`` digits,
    /// after an optional minus sign when `signed`.
    func unsignedInteger(signed: Bool) -> GrammarExpression {
        let digits = min(max(options.maximumIntegerDigits, 1), 18)
        return .concatenation([
            signed ? .optional(.literal("-")) : .empty,
            .choice([.literal("0"), .concatenation([Self.nonZeroDigit, .repetition(Self.digit, min: 0, max: digits - 1)])]),
        ])
    }

    /// A JSON number with a bounded exponent; `signed: false` has no minus sign.
    func numberBody(signed: Bool) -> GrammarExpression {
        .concatenation([
            unsignedInteger(signed: signed),
            .optional(.concatenation([.literal("."), .repetition(Self.digit, min: 1, max: max(1, options.maximumFractionDigits))])),
            .optional(.concatenation([.byteRanges([0x45...0x45, 0x65...0x65]), .optional(.byteRanges([0x2B...0x2B, 0x2D...0x2D])),
                                      .repetition(Self.digit, min: 1, max: max(1, options.maximumExponentDigits))])),
        ])
    }

    var jsonNumberRule: RuleID {
        mutating get { shared("json-number") { $0.numberBody(signed: true) } }
    }

    /// Whitespace allowed between tokens under the options' policy.
    var ws: GrammarExpression {
        mutating get {
            switch options.whitespace {
            case .compact:
                return .empty
            case .bounded(let maximum):
                guard maximum > 0 else { return .empty }
                return .rule(shared("ws") { _ in .repetition(.byteRanges([0x09...0x0A, 0x20...0x20]), min: 0, max: maximum) })
            }
        }
    }

    /// Any JSON value (the schema `true`, `{}`, or what `items` allows when absent).
    var jsonValueRule: RuleID {
        mutating get {
            if let existing = sharedRules["json-value"] { return existing }
            let value = grammar.addRule(named: "json-value")
            sharedRules["json-value"] = value
            let string = jsonStringRule
            let number = jsonNumberRule
            let space = ws
            let member = GrammarExpression.concatenation([.rule(string), space, .literal(":"), space, .rule(value)])
            let object = grammar.addRule(named: "json-object", body: .concatenation([
                .literal("{"), space,
                .optional(.concatenation([member, .star(.concatenation([space, .literal(","), space, member]))])),
                space, .literal("}"),
            ]))
            let array = grammar.addRule(named: "json-array", body: .concatenation([
                .literal("["), space,
                .optional(.concatenation([.rule(value), .star(.concatenation([space, .literal(","), space, .rule(value)]))])),
                space, .literal("]"),
            ]))
            grammar.setBody(.choice([.rule(object), .rule(array), .rule(string), .rule(number),
                                     .literal("true"), .literal("false"), .literal("null")]), of: value)
            return value
        }
    }
}
