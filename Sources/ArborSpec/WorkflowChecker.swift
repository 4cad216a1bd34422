import ArborSchema

/// The cross-reference checks of a workflow: names that must match other names.
///
/// - tool names are unique, and so are step names;
/// - an MCP tool names a server in `servers:`;
/// - a step's `tools` name tools of the workflow;
/// - `{{...}}` in the instructions names an input; in an HTTP URL, header or body, or in a
///   command's arguments, it names a parameter of that tool;
/// - limits agree with each other and with the model's context size.
struct WorkflowChecker {
    /// Where each decoded tool and step came from, since entries with errors are left out.
    struct SourcePointers: Sendable, Equatable {
        var tools: [JSONPointer] = []
        var steps: [JSONPointer] = []
        /// For command tools written as `command: {argv: [...]}`, the pointer of `argv`.
        var argv: [JSONPointer: JSONPointer] = [:]
    }

    let workflow: Workflow
    let pointers: SourcePointers
    private(set) var reader = SpecReader()

    init(workflow: Workflow, pointers: SourcePointers? = nil) {
        self.workflow = workflow
        self.pointers = pointers ?? SourcePointers(
            tools: workflow.tools.indices.map { JSONPointer(tokens: ["tools", String($0)]) },
            steps: workflow.steps.indices.map { JSONPointer(tokens: ["steps", String($0)]) })
    }

    mutating func run() -> [SpecProblem] {
        checkServers()
        checkTools()
        checkSteps()
        checkInstructions()
        checkLimits()
        return reader.problems
    }

    private mutating func checkServers() {
        let used = Set(workflow.tools.compactMap { tool -> String? in
            if case .mcp(let binding) = tool.implementation { return binding.server } else { return nil }
        })
        for server in workflow.servers where !used.contains(server.name) {
            reader.report(JSONPointer(tokens: ["servers", server.name]), anchor: .key,
                          "no tool uses the server `\(server.name)`, so it will not be started",
                          hint: "add a tool with `mcp: {server: \(server.name)}`, or remove the server", severity: .warning)
        }
    }

    private mutating func checkTools() {
        var seen: [String: Int] = [:]
        for (index, tool) in workflow.tools.enumerated() {
            let pointer = pointers.tools[index]
            if let first = seen[tool.name] {
                reader.report(pointer.appending("name"), "the tool name `\(tool.name)` is used twice; tool names must be unique",
                              hint: "the first `\(tool.name)` is tool number \(first + 1) in the list")
            } else {
                seen[tool.name] = index
            }
            switch tool.implementation {
            case .mcp(let binding):
                if workflow.server(named: binding.server) == nil {
                    let names = workflow.servers.map(\.name)
                    reader.report(pointer.appending("mcp").appending("server"), "the tool `\(tool.name)` uses the server `\(binding.server)`, which is not declared under `servers:`",
                                  hint: SpellingHint.didYouMean(binding.server, in: names) ?? (names.isEmpty ? "add a `servers:` section with a `\(binding.server):` entry" : "declared servers: \(names.joined(separator: ", "))"))
                }
            case .http(let request):
                let here = pointer.appending("http")
                checkPlaceholders(request.url, of: tool, at: here.appending("url"))
                for header in request.headers {
                    checkHeader(header, of: tool, at: here.appending("headers").appending(header.name))
                }
                if let body = request.body { checkBody(body, of: tool, at: here.appending("body")) }
            case .command(let command):
                let argvPointer = workflowCommandPointer(pointer)
                for (position, argument) in command.argv.enumerated() {
                    checkPlaceholders(argument, of: tool, at: argvPointer.appending(index: position))
                }
                if command.argv.first?.contains("{{") == true {
                    reader.report(argvPointer.appending(index: 0), "the program to run must be fixed; placeholders may appear only in later arguments")
                }
                if let script = Self.shellScriptWithPlaceholder(command.argv) {
                    reader.report(argvPointer.appending(index: script),
                                  "this command starts a shell with a `{{...}}` inside its script, so a value the model chooses is run as shell code",
                                  hint: "pass the value as its own argument, e.g. [sh, -c, 'grep -- \"$1\" notes.txt', sh, '{{query}}'], or read the arguments as JSON from stdin",
                                  severity: .warning)
                }
            case .builtin, .documents:
                break
            }
        }
    }

    static let shells: Set<String> = ["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "csh", "tcsh"]

    /// The index of the script argument of `[sh, -c, "… {{x}} …"]` (also `bash -lc`,
    /// `env sh -c`, `/bin/sh -ec`), when that script holds a placeholder.
    static func shellScriptWithPlaceholder(_ argv: [String]) -> Int? {
        var start = 0
        if let first = argv.first, first.split(separator: "/").last == "env" { start = 1 }
        guard start < argv.count, let program = argv[start].split(separator: "/").last, shells.contains(String(program)) else { return nil }
        var index = start + 1
        while index < argv.count, argv[index].hasPrefix("-") {
            let flag = argv[index]
            index += 1
            if !flag.hasPrefix("--"), flag.contains("c"), index < argv.count {
                return argv[index].contains("{{") ? index : nil
            }
        }
        return nil
    }

    /// Headers carry `${SECRET}` values and are sent as written: a `{{parameter}}` there is
    /// refused rather than filled, so that no model-chosen text ever sits next to, or
    /// expands into, a secret.
    private mutating func checkHeader(_ header: HTTPHeader, of tool: Tool, at pointer: JSONPointer) {
        let template: PromptTemplate
        do { template = try PromptTemplate(header.value) } catch {
            reader.report(pointer, offset: error.offset, error.message)
            return
        }
        guard let variable = template.variables.first else { return }
        reader.report(pointer, offset: variable.offset, "`{{\(variable.name)}}` in the header `\(header.name)` is not filled in: headers are sent as written and may only read `${ENV}` variables",
                      hint: "pass `\(variable.name)` in the URL's query or in the body instead")
    }

    /// `command: [...]` or `command: {argv: [...]}` as written.
    private func workflowCommandPointer(_ tool: JSONPointer) -> JSONPointer {
        pointers.argv[tool] ?? tool.appending("command")
    }

    private mutating func checkBody(_ body: JSONValue, of tool: Tool, at pointer: JSONPointer) {
        switch body {
        case .string(let text): checkPlaceholders(text, of: tool, at: pointer)
        case .array(let elements):
            for (index, element) in elements.enumerated() { checkBody(element, of: tool, at: pointer.appending(index: index)) }
        case .object(let object):
            for (key, value) in object { checkBody(value, of: tool, at: pointer.appending(key)) }
        default: break
        }
    }

    private mutating func checkPlaceholders(_ text: String, of tool: Tool, at pointer: JSONPointer) {
        let template: PromptTemplate
        do { template = try PromptTemplate(text) } catch {
            reader.report(pointer, offset: error.offset, error.message)
            return
        }
        guard let names = tool.parameterNames else { return }
        for variable in template.variables where !names.contains(variable.name) {
            reader.report(pointer, offset: variable.offset, "`{{\(variable.name)}}` is not a parameter of the tool `\(tool.name)`",
                          hint: SpellingHint.didYouMean(variable.name, in: names) ?? (names.isEmpty ? "the tool has no parameters" : "parameters: \(names.joined(separator: ", "))"))
        }
    }

    private mutating func checkSteps() {
        var seen = Set<String>()
        let toolNames = workflow.tools.map(\.name)
        for (index, step) in workflow.steps.enumerated() {
            let pointer = pointers.steps[index]
            if !seen.insert(step.name).inserted {
                reader.report(pointer.appending("name"), "the step name `\(step.name)` is used twice; step names must be unique")
            }
            checkInputPlaceholders(step.goal, at: pointer.appending("goal"), what: "the goal of the step `\(step.name)`")
            for (position, name) in (step.tools ?? []).enumerated() where !toolNames.contains(name) {
                reader.report(pointer.appending("tools").appending(index: position), "the step `\(step.name)` names the tool `\(name)`, which the workflow does not declare",
                              hint: SpellingHint.didYouMean(name, in: toolNames) ?? (toolNames.isEmpty ? "add it under `tools:`" : "tools: \(toolNames.joined(separator: ", "))"))
            }
        }
        if workflow.steps.count > workflow.limits.maxBreadth {
            reader.report(JSONPointer(tokens: ["steps"]), "there are \(workflow.steps.count) steps but `limits.max_breadth` is \(workflow.limits.maxBreadth)",
                          hint: "raise `max_breadth` or merge steps")
        }
    }

    private mutating func checkInputPlaceholders(_ text: String, at pointer: JSONPointer, what: String) {
        let names = workflow.inputs.map(\.name)
        let template: PromptTemplate
        do { template = try PromptTemplate(text) } catch {
            reader.report(pointer, offset: error.offset, error.message)
            return
        }
        for variable in template.variables where !names.contains(variable.name) {
            reader.report(pointer, offset: variable.offset, "`{{\(variable.name)}}` in \(what) is not an input of the workflow",
                          hint: SpellingHint.didYouMean(variable.name, in: names) ?? (names.isEmpty ? "declare it under `inputs:`" : "inputs: \(names.joined(separator: ", "))"))
        }
    }

    private mutating func checkInstructions() {
        let names = workflow.inputs.map(\.name)
        let used = Set(workflow.instructions.variables.map(\.name))
        if !workflow.instructions.source.isEmpty {
            for name in names where !used.contains(name) {
                reader.report(JSONPointer(tokens: ["inputs", name]), anchor: .key,
                              "the input `\(name)` never appears in the instructions, so the model will not see it",
                              hint: "add `{{\(name)}}` to `instructions`", severity: .warning)
            }
        }
        for variable in workflow.instructions.variables where !names.contains(variable.name) {
            reader.report(JSONPointer(tokens: ["instructions"]), offset: variable.offset,
                          "`{{\(variable.name)}}` in the instructions is not an input of the workflow",
                          hint: SpellingHint.didYouMean(variable.name, in: names) ?? (names.isEmpty ? "declare it under `inputs:`" : "inputs: \(names.joined(separator: ", "))"))
        }
    }

    private mutating func checkLimits() {
        let limits = workflow.limits
        let context = workflow.model.contextSize
        if let budget = limits.roundBudget, budget >= context {
            reader.report(JSONPointer(tokens: ["limits", "round_budget"]), "`round_budget` (\(budget)) must be smaller than the model's context size (\(context)), which must also hold the prompt and the summary",
                          hint: "lower `round_budget` or raise `model.context_size`")
        }
        if limits.roundBudget == nil, limits.maxTokens > context {
            reader.report(JSONPointer(tokens: ["limits", "max_tokens"]), "`max_tokens` (\(limits.maxTokens)) exceeds the context size (\(context)) and no `round_budget` is set, so the run cannot fit in one round",
                          hint: "set `limits.round_budget` to run in summary rounds, or raise `model.context_size`")
        }
        if workflow.model.treeSyntax != .json {
            let syntax = workflow.model.treeSyntax.rawValue
            if limits.roundBudget != nil {
                reader.report(JSONPointer(tokens: ["model", "tree_syntax"]), "`tree_syntax: \(syntax)` runs in one round; it cannot have `limits.round_budget`",
                              hint: "use `tree_syntax: json` for summary rounds")
            }
            if !workflow.steps.isEmpty {
                reader.report(JSONPointer(tokens: ["model", "tree_syntax"]), "`tree_syntax: \(syntax)` writes free text; it cannot have fixed `steps:`",
                              hint: "use `tree_syntax: json` for fixed top-level steps")
            }
        }
        if !workflow.tools.isEmpty, limits.maxToolCalls == 0 {
            reader.report(JSONPointer(tokens: ["limits", "max_tool_calls"]), severity: .warning,
                          "`max_tool_calls` is 0, so none of the declared tools can be called")
        }
    }
}

extension SpecReader {
    mutating func report(_ pointer: JSONPointer, offset: Int? = nil, severity: SpecDiagnostic.Severity, _ message: String) {
        report(pointer, anchor: .value, offset: offset, message, severity: severity)
    }
}

extension Workflow {
    /// Every cross-reference problem of this workflow (duplicate or unknown tool names,
    /// unknown servers, template placeholders that name nothing, inconsistent limits), with
    /// pointers into the workflow's YAML/JSON form.
    public func problems() -> [SpecProblem] {
        var checker = WorkflowChecker(workflow: self)
        return checker.run()
    }

    /// Throws ``SpecError/invalidWorkflow(problems:)`` listing every error ``problems()`` finds.
    ///
    /// ```swift
    /// var workflow = try WorkflowLoader.loadValid(path: "flow.yaml")
    /// workflow.steps.append(Step(name: "extra", goal: "…", tools: ["missing"]))
    /// try workflow.validate()  // throws: the step `extra` names the tool `missing`…
    /// ```
    public func validate() throws(SpecError) {
        let errors = problems().filter { $0.severity == .error }
        if !errors.isEmpty { throw .invalidWorkflow(problems: errors) }
    }
}
