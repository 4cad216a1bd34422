import ArborSchema

/// Builds the grammar of the `prose` tree syntax: free prose, as the model writes it in
/// plain chat, where every `=` is a hole the runtime may fill with a calculation's result,
/// then a last line with the answer:
///
/// ```
/// root   ::= (LINE "\n")* ANSWER-LINE
/// LINE   ::= any text without "\n", not beginning with "Answer:" or "**Answer:";
///            each "=" in it is "=" HOLE, and no digit follows a hole directly
/// ANSWER-LINE ::= "**"? "Answer:" "**"? " "? "$"? ANSWER "."? (" " TAIL{0,30})? "\n"?
/// ```
///
/// Whether a `=` is a calculation is the runtime's call, made from the text alone (the
/// arithmetic written just before it, as GSM8K's calculator annotations do): it writes the
/// result in, or nothing. The grammar only keeps the model from writing digits of its own
/// straight after a result. `ANSWER` is the output member's value when the output is an
/// object with one required scalar member (``StepsGrammarBuilder/unwrappedAnswerMember(of:)``),
/// else the output's JSON; `TAIL` (a unit, a word) is ignored. The `.` is the sentence's
/// end that models write after the answer (`Answer: 64.`): without it, a number's grammar
/// reads the period as a decimal point and makes the model write a digit after it.
public struct ProseGrammarBuilder {
    private var builder: SchemaGrammarBuilder
    private let spec: ReasoningTreeSpec
    private var hasCalls: Bool { spec.maxToolCalls != 0 && spec.inlineExpression != nil }

    /// The answer line's markers, as the model may begin the line with them.
    public static let answerMarkers = ["Answer:", "**Answer:"]
    /// The longest text after the answer value on its line (a unit, a word).
    public static let answerTailLength = 30

    /// The grammar for `spec`: the calculator must be one of its tools for `=` to be a hole.
    public static func grammar(for spec: ReasoningTreeSpec) throws(GrammarCompileError) -> SchemaGrammar {
        try StepsGrammarBuilder.checkTextSyntax(spec, named: "prose")
        var prose = ProseGrammarBuilder(spec: spec)
        return try prose.build()
    }

    private init(spec: ReasoningTreeSpec) {
        self.spec = spec
        builder = SchemaGrammarBuilder(options: spec.schemaOptions)
    }

    private static func scalars(_ text: String) -> ScalarRangeSet {
        text.unicodeScalars.reduce(ScalarRangeSet.empty) { $0.union(ScalarRangeSet(scalar: $1)) }
    }

    private mutating func build() throws(GrammarCompileError) -> SchemaGrammar {
        let root = builder.addRule(named: "root")
        builder.setRoot(root)
        // any character of a line but controls and, where calls are possible, "="
        var excluded = ScalarRangeSet(ranges: [0x00...0x08, 0x0A...0x0A, 0x0D...0x0D])
        if hasCalls { excluded = excluded.union(Self.scalars("=")) }
        let characters = excluded.inverted
        let rest = builder.addRule(named: "prose-rest")
        var restChoices: [GrammarExpression] = [.empty, .concatenation([.scalars(characters), .rule(rest)])]
        var call: GrammarExpression?
        if hasCalls {
            // after a result the line ends or goes on with anything but a digit
            let afterCall = builder.addRule(named: "prose-after-call", body: .alternatives([
                .empty, .concatenation([.scalars(characters.intersectionComplement(Self.scalars("0123456789"))), .rule(rest)]),
            ]))
            call = .concatenation([.literal("="), .hole(name: "tool_result"), .rule(afterCall)])
            restChoices.append(call!)
        }
        builder.setBody(.alternatives(restChoices), of: rest)
        let line = builder.addRule(named: "prose-line",
                                   body: lineAvoiding(Self.answerMarkers.map { Array($0.unicodeScalars) }, characters: characters,
                                                      call: call, rest: rest))

        let answer = StepsGrammarBuilder.addAnswerRule(for: spec.output, to: &builder)
        let tailCharacters = ScalarRangeSet(ranges: [0x00...0x1F]).inverted
        let answerLine = GrammarExpression.concatenation([
            .optional(.literal("**")), .literal("Answer:"), .optional(.literal("**")), .optional(.literal(" ")),
            .optional(.literal("$")), .rule(answer), .optional(.literal(".")),
            .optional(.concatenation([.literal(" "), .repetition(.scalars(tailCharacters), min: 0, max: Self.answerTailLength)])),
            .optional(.literal("\n")),
        ])
        builder.setBody(.concatenation([.repetition(.concatenation([.rule(line), .literal("\n")]), min: 0, max: nil), answerLine]), of: root)
        return try builder.finish()
    }

    /// A line that does not begin with any of `prefixes`: the prefixes' trie, each branch
    /// leaving it at the first character that differs.
    private mutating func lineAvoiding(_ prefixes: [[Unicode.Scalar]], characters: ScalarRangeSet, call: GrammarExpression?,
                                       rest: RuleID) -> GrammarExpression {
        let firsts = Set(prefixes.compactMap(\.first))
        var choices: [GrammarExpression] = [.empty]
        let others = characters.intersectionComplement(firsts.reduce(ScalarRangeSet.empty) { $0.union(ScalarRangeSet(scalar: $1)) })
        choices.append(.concatenation([.scalars(others), .rule(rest)]))
        if let call, !firsts.contains("=") { choices.append(call) }
        for first in firsts.sorted(by: { $0.value < $1.value }) {
            let tails = prefixes.filter { $0.first == first }.map { Array($0.dropFirst()) }
            if tails.contains(where: \.isEmpty) { continue }
            choices.append(.concatenation([.literal(String(first)), lineAvoiding(tails, characters: characters, call: call, rest: rest)]))
        }
        return .alternatives(choices)
    }
}

extension ScalarRangeSet {
    /// The scalars of `self` that are not in `other`.
    func intersectionComplement(_ other: ScalarRangeSet) -> ScalarRangeSet {
        self.inverted.union(other).inverted
    }
}
