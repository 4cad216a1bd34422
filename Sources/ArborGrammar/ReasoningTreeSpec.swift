import ArborSchema

/// What the reasoning-tree grammar needs to know about a workflow, as plain values.
///
/// The runtime builds this from the workflow spec; ArborGrammar does not read YAML.
///
/// ```swift
/// let spec = ReasoningTreeSpec(
///     tools: [.init(name: "search", parameters: try SchemaDocument(compiling: ["type": "object",
///         "properties": ["query": ["type": "string"]], "required": ["query"]]))],
///     output: try SchemaDocument(compiling: ["type": "string"]),
///     maxDepth: 3, maxBreadth: 5, maxToolCalls: 8)
/// ```
public struct ReasoningTreeSpec: Sendable {
    /// A tool the model may call: its name and the JSON Schema of its parameters.
    public struct Tool: Sendable {
        public var name: String
        public var parameters: SchemaDocument
        /// The parameters written by position in the steps syntax (`name(a, b)`), in order:
        /// the required ones, each with its own schema.
        public var positionalParameters: [(name: String, schema: SchemaDocument)]

        public init(name: String, parameters: SchemaDocument, positionalParameters: [(name: String, schema: SchemaDocument)] = []) {
            self.name = name
            self.parameters = parameters
            self.positionalParameters = positionalParameters
        }
    }

    /// A fixed top-level step: the tools its task (and all its subtasks) may call.
    public struct Step: Sendable {
        public var allowedTools: [String]

        public init(allowedTools: [String]) {
            self.allowedTools = allowedTools
        }
    }

    public var tools: [Tool]
    /// The schema of `answer`.
    public var output: SchemaDocument
    /// Task levels: top-level tasks are depth 1, so 1 means no `subtasks` at all.
    public var maxDepth: Int
    /// The most tasks in one list (`reasoning` or a `subtasks` list); nil for no limit.
    public var maxBreadth: Int?
    /// The most tool calls in the whole tree; nil for no limit.
    public var maxToolCalls: Int?
    /// When not empty, `reasoning` holds exactly these steps, in order.
    public var steps: [Step]
    /// A summary round ends with `"summary": STRING` instead of `"answer"`.
    public var isSummaryRound: Bool
    /// Whitespace inside tool parameters and the answer (the tree skeleton is compact).
    public var schemaOptions: SchemaGrammarOptions
    /// The most characters in a thought, conclusion or summary; nil for no limit.
    public var maxTextLength: Int?
    /// The most characters in a tool's string parameter whose schema gives no `maxLength`
    /// (also one with a `pattern` or `format`, counted with its automaton when that stays
    /// within ``SchemaGrammarBuilder/maximumCountedPatternStates`` pairs); nil leaves them
    /// unbounded.
    public var maxToolStringLength: Int?
    /// The `reasoning` list cannot close before it holds `maxBreadth` tasks: until then only
    /// another task may follow. With a summary ending this is the grammar of a round that
    /// must not answer yet (a long job below its minimum length): the runtime moves it onto
    /// the ordinary summary grammar when its budget is spent, and a full list ends with the
    /// summary by itself. Needs `maxBreadth` and no steps.
    public var isOpenEnded = false
    /// The tool the steps syntax writes bare, as `<<8*7=` (the calculator); nil: none.
    public var inlineExpression: InlineExpression?

    public init(tools: [Tool], output: SchemaDocument, maxDepth: Int = 3, maxBreadth: Int? = nil,
                maxToolCalls: Int? = nil, steps: [Step] = [], isSummaryRound: Bool = false,
                schemaOptions: SchemaGrammarOptions = SchemaGrammarOptions(), maxTextLength: Int? = nil,
                maxToolStringLength: Int? = nil) {
        self.maxTextLength = maxTextLength
        self.maxToolStringLength = maxToolStringLength
        self.tools = tools
        self.output = output
        self.maxDepth = maxDepth
        self.maxBreadth = maxBreadth
        self.maxToolCalls = maxToolCalls
        self.steps = steps
        self.isSummaryRound = isSummaryRound
        self.schemaOptions = schemaOptions
    }

    /// Every problem with the description (names, limits, steps).
    func problems() -> [GrammarError] {
        var problems: [String] = []
        var seen = Set<String>()
        for tool in tools {
            if tool.name.isEmpty { problems.append("a tool has an empty name") }
            if !seen.insert(tool.name).inserted { problems.append("the tool name \"\(tool.name)\" is used twice") }
        }
        if maxDepth < 1 { problems.append("maxDepth must be at least 1, got \(maxDepth)") }
        if let maxBreadth, maxBreadth < 1 { problems.append("maxBreadth must be at least 1, got \(maxBreadth)") }
        if let maxToolCalls, maxToolCalls < 0 { problems.append("maxToolCalls must not be negative, got \(maxToolCalls)") }
        if let maxBreadth, steps.count > maxBreadth {
            problems.append("there are \(steps.count) steps but maxBreadth is \(maxBreadth)")
        }
        for (index, step) in steps.enumerated() {
            for name in step.allowedTools where !seen.contains(name) {
                problems.append("step \(index + 1) allows the tool \"\(name)\", which is not declared")
            }
        }
        if isOpenEnded {
            if maxBreadth == nil { problems.append("an open-ended tree needs maxBreadth: its reasoning list closes only when full") }
            if !steps.isEmpty { problems.append("an open-ended tree cannot have steps: they fix the reasoning list") }
        }
        return problems.map { .invalidWorkflow(reason: $0) }
    }
}
