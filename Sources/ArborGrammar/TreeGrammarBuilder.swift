import ArborSchema

/// Builds the reasoning-tree grammar of DESIGN.md for a workflow:
///
/// ```
/// root   ::= "{\"reasoning\":[" TASK-1 ("," TASK-1)* "],\"answer\":" OUTPUT "}"
///            (a summary round ends with ",\"summary\":" STRING "}" instead; an open-ended
///            tree's list has exactly maxBreadth tasks: it closes only when full)
/// TASK-d ::= "{\"thought\":" STRING
///            ( ",\"tooluse\":{\"tool_name\":" ( "\"t\",\"parameters\":" PARAMS-t | … )
///              ",\"tool_result\":" HOLE "}" )?
///            ( ",\"subtasks\":[" TASK-(d+1) ("," TASK-(d+1))* "]" )?      (only when d < maxDepth)
///            ",\"conclusion\":" STRING "}"
/// ```
///
/// Limits, and where they are enforced:
/// - **depth**: unrolled — one task rule per level, and the deepest has no `subtasks`;
/// - **breadth**: bounded repetition of every task list;
/// - **tool calls**: each `tooluse` is a ``GrammarExpression/budgeted(_:)`` part and the
///   grammar's budget is `maxToolCalls`; the matcher counts (a context-free grammar would
///   need a rule per remaining count at every level), so a tree with one call too many
///   cannot be decoded: once the budget is spent, `"tooluse"` is no longer allowed;
/// - **steps**: `reasoning` is exactly the given steps in order; each step's task and its
///   subtasks may call only that step's tools (a step with no tools has no `tooluse`).
///
/// The tool's name decides which parameter schema follows, and `tool_result` is a hole the
/// runtime fills (``GrammarMatcher/pendingHole``). The skeleton is compact JSON; tool
/// parameters and the answer follow ``ReasoningTreeSpec/schemaOptions``.
///
/// ```swift
/// let built = try TreeGrammarBuilder.grammar(for: spec)
/// let compiled = try CompiledGrammar(built.grammar, vocabulary: vocabulary)
/// ```
public struct TreeGrammarBuilder {
    private var builder: SchemaGrammarBuilder
    private let spec: ReasoningTreeSpec
    private var parameterRules: [String: RuleID] = [:]
    private var taskRules: [String: RuleID] = [:]
    private var textRule: RuleID?

    /// The tree grammar for `spec`, with the post-checks of its tool and output schemas.
    public static func grammar(for spec: ReasoningTreeSpec) throws(GrammarCompileError) -> SchemaGrammar {
        let problems = spec.problems()
        if !problems.isEmpty { throw GrammarCompileError(errors: problems) }
        var tree = TreeGrammarBuilder(spec: spec)
        return try tree.build()
    }

    private init(spec: ReasoningTreeSpec) {
        self.spec = spec
        builder = SchemaGrammarBuilder(options: spec.schemaOptions)
    }

    private mutating func build() throws(GrammarCompileError) -> SchemaGrammar {
        let root = builder.addRule(named: "root")
        builder.setRoot(root)
        if spec.maxToolCalls != 0 { builder.setBudgetLimit(spec.maxToolCalls) }
        // Tool strings are bounded by default: a model that keeps writing one argument would
        // otherwise reach the token limit inside a call, where nothing can close the tree.
        builder.defaultMaximumStringLength = spec.maxToolStringLength
        for tool in spec.tools {
            parameterRules[tool.name] = builder.addSchema(tool.parameters, named: "tool-\(tool.name)-parameters", context: "the parameters of the tool \"\(tool.name)\"")
        }
        builder.defaultMaximumStringLength = nil
        let allTools = spec.maxToolCalls == 0 ? [] : spec.tools.map(\.name)
        let reasoning: GrammarExpression
        if spec.isOpenEnded, let breadth = spec.maxBreadth {
            let task = GrammarExpression.rule(task(depth: 1, tools: allTools))
            reasoning = .concatenation([task, .repetition(.concatenation([.literal(","), task]), min: breadth - 1, max: breadth - 1)])
        } else if spec.steps.isEmpty {
            reasoning = taskList(depth: 1, tools: allTools)
        } else {
            let steps = spec.steps.map { step in
                GrammarExpression.rule(task(depth: 1, tools: spec.maxToolCalls == 0 ? [] : step.allowedTools))
            }
            reasoning = .concatenation(steps.enumerated().map { index, step in index == 0 ? step : .concatenation([.literal(","), step]) })
        }
        let ending: GrammarExpression
        if spec.isSummaryRound {
            ending = .concatenation([.literal(",\"summary\":"), text()])
        } else {
            let output = builder.addSchema(spec.output, named: "output", context: "the output schema")
            ending = .concatenation([.literal(",\"answer\":"), .rule(output)])
        }
        builder.setBody(.concatenation([.literal("{\"reasoning\":["), reasoning, .literal("]"), ending, .literal("}")]), of: root)
        return try builder.finish()
    }

    /// A thought, conclusion or summary: a JSON string of at most `maxTextLength` characters.
    private mutating func text() -> GrammarExpression {
        guard let limit = spec.maxTextLength else { return .rule(builder.jsonStringRule) }
        if let textRule { return .rule(textRule) }
        let rule = builder.addRule(named: "tree-text")
        builder.setBody(.concatenation([.literal("\""), .repetition(.rule(builder.jsonCharRule), min: 0, max: limit), .literal("\"")]), of: rule)
        textRule = rule
        return .rule(rule)
    }


    /// `TASK ("," TASK){0, maxBreadth - 1}` at `depth`.
    private mutating func taskList(depth: Int, tools: [String]) -> GrammarExpression {
        let task = GrammarExpression.rule(task(depth: depth, tools: tools))
        return .concatenation([task, .repetition(.concatenation([.literal(","), task]), min: 0, max: spec.maxBreadth.map { $0 - 1 })])
    }

    /// The rule for a task at `depth` that may call `tools`, created once per pair.
    private mutating func task(depth: Int, tools: [String]) -> RuleID {
        let key = "\(depth):" + tools.joined(separator: "\u{0}")
        if let existing = taskRules[key] { return existing }
        let toolSuffix = tools.count == spec.tools.count ? "" : "-" + (tools.isEmpty ? "no-tools" : tools.joined(separator: "-"))
        let rule = builder.addRule(named: "task-\(depth)\(toolSuffix)")
        taskRules[key] = rule
        let string = text()
        var parts: [GrammarExpression] = [.literal("{\"thought\":"), string]
        if !tools.isEmpty {
            let choices = tools.map { name in
                GrammarExpression.concatenation([.literal(JSONValue.string(name).compactString + ",\"parameters\":"), .rule(parameterRules[name]!)])
            }
            let tooluse = GrammarExpression.concatenation([
                .literal(",\"tooluse\":{\"tool_name\":"), .alternatives(choices), .literal(",\"tool_result\":"), .hole(name: "tool_result"), .literal("}"),
            ])
            parts.append(.optional(.budgeted(tooluse)))
        }
        if depth < spec.maxDepth {
            parts.append(.optional(.concatenation([.literal(",\"subtasks\":["), taskList(depth: depth + 1, tools: tools), .literal("]")])))
        }
        parts += [.literal(",\"conclusion\":"), string, .literal("}")]
        builder.setBody(.concatenation(parts), of: rule)
        return rule
    }
}
