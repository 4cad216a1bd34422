import ArborGrammar
import ArborSchema
import ArborSpec

extension ReasoningTreeSpec {
    /// The JSON Schema used for an MCP tool whose parameters are read from its server's
    /// `tools/list` when a run starts: any object. `arbor compile` has no server to ask, so
    /// its output shows this permissive schema in that tool's place.
    public static let parametersFetchedAtRunTime: JSONValue = ["type": "object"]

    /// The reasoning tree a workflow allows: its tools and their parameter schemas, its output
    /// schema, its depth / breadth / tool-call limits and its step skeleton.
    ///
    /// `serverTools` supplies the parameter schemas of MCP tools declared without
    /// `parameters` (from the server's `tools/list`); tools missing there get
    /// ``parametersFetchedAtRunTime``.
    ///
    /// ```swift
    /// let workflow = try WorkflowLoader.loadValid(path: "Workflows/math-solver.yaml")
    /// let spec = try ReasoningTreeSpec(workflow: workflow)
    /// print(try TreeGrammarBuilder.grammar(for: spec).grammar.gbnf)
    /// ```
    public init(workflow: Workflow, serverTools: [String: JSONValue] = [:], isSummaryRound: Bool = false,
                schemaOptions: SchemaGrammarOptions = SchemaGrammarOptions()) throws(SchemaCompileError) {
        var tools: [Tool] = []
        for tool in workflow.tools {
            let parameters: JSONValue
            switch tool.parameters {
            case .schema(let schema): parameters = schema
            case .fromServer: parameters = serverTools[tool.name] ?? Self.parametersFetchedAtRunTime
            }
            tools.append(Tool(name: tool.name, parameters: try SchemaDocument(compiling: parameters),
                              positionalParameters: try Self.positionalParameters(of: parameters)))
        }
        let allToolNames = workflow.tools.map(\.name)
        self.init(
            tools: tools,
            output: try SchemaDocument(compiling: workflow.outputSchema),
            maxDepth: workflow.limits.maxDepth,
            maxBreadth: workflow.limits.maxBreadth,
            maxToolCalls: workflow.limits.maxToolCalls,
            steps: workflow.steps.map { Step(allowedTools: $0.tools ?? allToolNames) },
            isSummaryRound: isSummaryRound,
            schemaOptions: schemaOptions,
            maxTextLength: workflow.limits.maxTextLength,
            maxToolStringLength: workflow.limits.maxToolStringLength)
        if let calculator = workflow.tools.first(where: { $0.implementation == .builtin(.calculator) }) {
            inlineExpression = InlineExpression(tool: calculator.name, parameter: "expression",
                                                characters: Self.calculatorCharacters, maxLength: Self.inlineExpressionMaxLength)
        }
    }

    /// What the calculator's expressions may contain (its parameter's pattern).
    static let calculatorCharacters: ScalarRangeSet = {
        var set = ScalarRangeSet.empty
        for scalar in "-+*/%^()., 0123456789abcdefghijklmnopqrstuvwxyz".unicodeScalars { set = set.union(ScalarRangeSet(scalar: scalar)) }
        return set
    }()

    /// The longest inline expression: room for a few operations, not for a model stuck repeating.
    static let inlineExpressionMaxLength = 120

    /// The required parameters in the order written, each with its own schema (sharing the
    /// parameters' `$defs`), for the steps syntax's `name(a, b)`.
    static func positionalParameters(of parameters: JSONValue) throws(SchemaCompileError) -> [(name: String, schema: SchemaDocument)] {
        guard let object = parameters.objectValue, let properties = object["properties"]?.objectValue else { return [] }
        let required = Set(object["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        var result: [(name: String, schema: SchemaDocument)] = []
        for (name, schema) in properties where required.contains(name) {
            var own = schema.objectValue ?? [:]
            if let definitions = object["$defs"] { own["$defs"] = definitions }
            result.append((name, try SchemaDocument(compiling: .object(own))))
        }
        return result
    }
}
