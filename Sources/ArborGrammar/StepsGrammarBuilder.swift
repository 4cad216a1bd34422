import ArborSchema

/// A tool whose one parameter the steps syntax writes bare between `<<` and `=`: the
/// calculator, whose expression is the arithmetic itself (`<<8*7+2*5=66>>`).
public struct InlineExpression: Sendable {
    public var tool: String
    public var parameter: String
    /// The characters an expression may use.
    public var characters: ScalarRangeSet
    /// The longest expression, in characters.
    public var maxLength: Int

    public init(tool: String, parameter: String, characters: ScalarRangeSet, maxLength: Int) {
        self.tool = tool
        self.parameter = parameter
        self.characters = characters
        self.maxLength = maxLength
    }
}

/// Builds the grammar of the `steps` tree syntax: numbered prose steps with inline tool calls
/// whose results the runtime writes in, then the answer — the way instruction models write
/// worked solutions (GSM8K's calculator annotations):
///
/// ```
/// root   ::= STEP-1 "Answer:" " "? ANSWER "\n"?
/// STEP-k ::= "Step k:" LINE "\n" STEP-(k+1)?               (k up to maxBreadth)
/// LINE   ::= (CHAR | CALL)+                                 CHAR: any but "\n", "\r", "<"
/// CALL   ::= "<<" ( EXPR "=" | "name(" ARG (", " ARG)* ")=" ) HOLE ">>"    (budgeted)
/// ```
///
/// `EXPR` is the ``ReasoningTreeSpec/inlineExpression`` tool's parameter written bare; every
/// other tool takes its required parameters by position, each a JSON value of its schema.
/// `HOLE` is `tool_result`: the runtime calls the tool and writes its result there. `ANSWER`
/// is the output schema's JSON, or — when the output is an object with one required scalar
/// member — that member's value alone (`Answer: 66`), which the runtime wraps back.
/// Each step becomes a task of the reasoning tree; depth is always 1.
public struct StepsGrammarBuilder {
    private var builder: SchemaGrammarBuilder
    private let spec: ReasoningTreeSpec

    /// The grammar for `spec` (its breadth as the most steps, and its tool-call budget; not
    /// its depth or text length: the token limit bounds a line).
    public static func grammar(for spec: ReasoningTreeSpec) throws(GrammarCompileError) -> SchemaGrammar {
        try checkTextSyntax(spec, named: "steps")
        var steps = StepsGrammarBuilder(spec: spec)
        return try steps.build()
    }

    /// Throws when `spec` asks for what a text syntax (`steps`, `prose`) cannot write: fixed
    /// top-level steps, summary rounds.
    static func checkTextSyntax(_ spec: ReasoningTreeSpec, named name: String) throws(GrammarCompileError) {
        var problems = spec.problems()
        if !spec.steps.isEmpty { problems.append(.invalidWorkflow(reason: "the \(name) syntax has no fixed top-level steps; use the json syntax")) }
        if spec.isSummaryRound || spec.isOpenEnded { problems.append(.invalidWorkflow(reason: "the \(name) syntax has no summary rounds; use the json syntax")) }
        if !problems.isEmpty { throw GrammarCompileError(errors: problems) }
    }

    /// The rule of what follows `Answer:`: the output member's value when it is written
    /// alone, else the output's JSON.
    static func addAnswerRule(for output: SchemaDocument, to builder: inout SchemaGrammarBuilder) -> RuleID {
        if let (member, schema) = unwrappedAnswer(of: output), let document = try? SchemaDocument(compiling: schema) {
            return builder.addSchema(document, named: "answer-\(member)", context: "the output member \"\(member)\"")
        }
        return builder.addSchema(output, named: "output", context: "the output schema")
    }

    /// The output member `Answer:` writes alone, when the output is an object with exactly
    /// one property, required, of a scalar type.
    public static func unwrappedAnswerMember(of output: SchemaDocument) -> String? {
        unwrappedAnswer(of: output)?.member
    }

    /// The member and its schema, when the answer is written alone.
    static func unwrappedAnswer(of output: SchemaDocument) -> (member: String, schema: JSONValue)? {
        let object = output.source.objectValue
        guard let properties = object?["properties"]?.objectValue, properties.count == 1, let only = properties.first(where: { _ in true }),
              object?["required"] == .array([.string(only.key)]) else { return nil }
        let type = only.value.objectValue?["type"]?.stringValue ?? ""
        return ["number", "integer", "string", "boolean"].contains(type) ? (only.key, only.value) : nil
    }

    /// The most steps when the workflow sets no breadth.
    public static let defaultMaxSteps = 8

    private init(spec: ReasoningTreeSpec) {
        self.spec = spec
        builder = SchemaGrammarBuilder(options: spec.schemaOptions)
    }

    private mutating func build() throws(GrammarCompileError) -> SchemaGrammar {
        let root = builder.addRule(named: "root")
        builder.setRoot(root)
        if spec.maxToolCalls != 0 { builder.setBudgetLimit(spec.maxToolCalls) }
        // A line is not bounded by a count: a bounded repetition is unrolled, and the parse
        // states inside a call would multiply by the line's length (the mask cache grew past
        // 10^4 states). The token limit bounds it instead: near the limit the runtime closes
        // the text up to `Answer:`.
        let character = builder.addRule(named: "step-char",
                                        body: .scalars(ScalarRangeSet(ranges: [0x00...0x08, 0x0A...0x0A, 0x0D...0x0D, 0x3C...0x3C]).inverted))
        var unit: [GrammarExpression] = [.rule(character)]
        if spec.maxToolCalls != 0, let call = callExpression() {
            let rule = builder.addRule(named: "step-call", body: call)
            unit.append(.budgeted(.rule(rule)))
        }
        let line = builder.addRule(named: "step-line")
        builder.setBody(.repetition(.alternatives(unit), min: 1, max: nil), of: line)

        let count = spec.maxBreadth ?? Self.defaultMaxSteps
        var steps = GrammarExpression.empty
        for number in stride(from: count, through: 1, by: -1) {
            let step = builder.addRule(named: "step-\(number)")
            var body: [GrammarExpression] = [.literal("Step \(number):"), .rule(line), .literal("\n")]
            if number < count { body.append(.optional(steps)) }
            builder.setBody(.concatenation(body), of: step)
            steps = .rule(step)
        }
        let answer = Self.addAnswerRule(for: spec.output, to: &builder)
        builder.setBody(.concatenation([steps, .literal("Answer:"), .optional(.literal(" ")), .rule(answer), .optional(.literal("\n"))]), of: root)
        return try builder.finish()
    }

    /// `"<<" (EXPR "=" | "name(" ARGS ")=") HOLE ">>"` over the workflow's tools; nil when none.
    private mutating func callExpression() -> GrammarExpression? {
        var choices: [GrammarExpression] = []
        if let inline = spec.inlineExpression, spec.tools.contains(where: { $0.name == inline.tool }) {
            choices.append(.concatenation([.repetition(.scalars(inline.characters), min: 1, max: inline.maxLength), .literal("=")]))
        }
        for tool in spec.tools where tool.name != spec.inlineExpression?.tool {
            var parts: [GrammarExpression] = [.literal(tool.name + "(")]
            for (index, parameter) in tool.positionalParameters.enumerated() {
                if index > 0 { parts.append(.literal(", ")) }
                parts.append(.rule(builder.addSchema(parameter.schema, named: "tool-\(tool.name)-\(parameter.name)",
                                             context: "the parameter \"\(parameter.name)\" of the tool \"\(tool.name)\"")))
            }
            parts.append(.literal(")="))
            choices.append(.concatenation(parts))
        }
        guard !choices.isEmpty else { return nil }
        return .concatenation([.literal("<<"), .alternatives(choices), .hole(name: "tool_result"), .literal(">>")])
    }
}
