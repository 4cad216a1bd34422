import ArborSchema

/// Turns the JSON form of a workflow file into a ``Workflow``, collecting every problem.
///
/// Structural problems (types, unknown and missing keys, shorthand and schema errors) are
/// found here; cross-references (tool names, servers, template variables) are checked by
/// ``WorkflowChecker`` with the pointers this decoder records.
struct WorkflowDecoder {
    static let topLevelKeys = ["arbor", "name", "description", "model", "inputs", "instructions", "types", "servers",
                               "tools", "output", "output_schema", "limits", "steps", "tests"]
    static let toolKeys = ["name", "description", "parameters", "parameters_schema", "mcp", "http", "command", "builtin"]
    static let implementationKeys = ["mcp", "http", "command", "builtin"]

    var reader = SpecReader()
    var sourcePointers = WorkflowChecker.SourcePointers()
    private var shorthand = ShorthandCompiler()

    mutating func decode(_ document: JSONValue) -> Workflow? {
        let root = JSONPointer.root
        guard case .object(let top) = document else {
            reader.report(root, document.isNull
                ? "the file is empty; a workflow starts with `arbor: 1` and a `name:`"
                : "a workflow file must be a YAML mapping (`key: value` lines), found \(SpecReader.article(document))")
            return nil
        }
        _ = reader.mapping(document, at: root, what: "the workflow", keys: Self.topLevelKeys,
                           required: ["arbor", "name", "instructions"])
        let version = decodeVersion(top["arbor"])
        let name = reader.string(top["name"], at: root.appending("name"), what: "`name`")
        if let name, !ShorthandCompiler.isToolName(name) {
            reader.report(root.appending("name"), "the workflow name `\(name)` may only use letters, digits, `-` and `_`")
        }
        let description = reader.string(top["description"], at: root.appending("description"), what: "`description`")
        let model = decodeModel(top["model"], at: root.appending("model"))

        // Types first: inputs, output and tool parameters may use them.
        var types = JSONObject()
        if let value = top["types"] {
            if case .object(let object) = value { types = object } else {
                reader.report(root.appending("types"), "`types` must be a mapping of type names to declarations, found \(SpecReader.article(value))")
            }
        }
        shorthand = ShorthandCompiler(types: types, at: root.appending("types"))
        reportShorthandErrors()

        let (inputs, inputsSchema) = decodeInputs(top["inputs"], at: root.appending("inputs"))
        var instructions: PromptTemplate?
        if let text = reader.string(top["instructions"], at: root.appending("instructions"), what: "`instructions`") {
            do { instructions = try PromptTemplate(text) } catch {
                reader.report(root.appending("instructions"), offset: error.offset, error.message)
            }
        }
        let servers = decodeServers(top["servers"], at: root.appending("servers"))
        let tools = decodeTools(top["tools"], at: root.appending("tools"))
        let outputSchema = decodeOutput(top, at: root)
        let limits = decodeLimits(top["limits"], at: root.appending("limits"))
        let steps = decodeSteps(top["steps"], at: root.appending("steps"))
        let tests = decodeTests(top["tests"], at: root.appending("tests"))

        // Parts that failed are replaced by neutral values so that the cross-reference checks
        // still run; the loader returns no workflow when any error was reported.
        return Workflow(version: version ?? 1, name: name ?? "", description: description, model: model, inputs: inputs,
                        inputsSchema: inputsSchema, instructions: instructions ?? PromptTemplate.empty, types: types, servers: servers,
                        tools: tools, outputSchema: outputSchema ?? [:], limits: limits, steps: steps, tests: tests)
    }

    /// Moves the shorthand compiler's errors into the report; true when there were none.
    @discardableResult
    private mutating func reportShorthandErrors() -> Bool {
        let clean = shorthand.errors.isEmpty
        for error in shorthand.errors {
            reader.report(error.pointer, anchor: error.isAboutKey ? .key : .value, offset: error.offset, error.message, hint: error.hint)
        }
        shorthand.clearErrors()
        return clean
    }

    /// Each field's `default` must satisfy the field's own schema (Pydantic does not check
    /// this, but a default the grammar could never produce is surely a mistake).
    private mutating func checkDefaults(_ schema: JSONValue, at pointer: JSONPointer) {
        guard let properties = schema["properties"]?.objectValue else { return }
        for (name, property) in properties {
            guard case .object(var fieldSchema) = property, let value = fieldSchema["default"] else { continue }
            fieldSchema["default"] = nil
            if let definitions = schema["$defs"] { fieldSchema["$defs"] = definitions }
            guard let document = try? SchemaDocument(compiling: .object(fieldSchema)) else { continue }
            if let violation = document.validate(value).first {
                let place = violation.instancePath.isRoot ? "" : " at \(violation.instancePath.string)"
                reader.report(pointer.appending(name).appending("default"),
                              "the default \(value.compactString) does not fit the field `\(name)`\(place): \(violation.message)")
            }
        }
    }

    private mutating func decodeVersion(_ value: JSONValue?) -> Int? {
        guard let value else { return nil }
        let pointer = JSONPointer(tokens: ["arbor"])
        guard case .integer(let version) = value else {
            reader.report(pointer, "`arbor` is the format version and must be the number 1, found \(SpecReader.article(value))")
            return nil
        }
        guard version == 1 else {
            reader.report(pointer, "this Arbor reads workflow format version 1, but the file says `arbor: \(version)`",
                          hint: "write `arbor: 1`, or upgrade Arbor")
            return nil
        }
        return 1
    }

    // MARK: Model

    private mutating func decodeModel(_ value: JSONValue?, at pointer: JSONPointer) -> ModelSettings {
        var settings = ModelSettings()
        guard let object = reader.mapping(value, at: pointer, what: "`model`", keys: ["file", "context_size", "sampling"]) else {
            return settings
        }
        settings.file = reader.string(object["file"], at: pointer.appending("file"), what: "`model.file`")
        if let file = settings.file, !file.hasSuffix(".gguf") {
            reader.report(pointer.appending("file"), "`model.file` must name a GGUF file (ending in .gguf)")
        }
        if let size = reader.integer(object["context_size"], at: pointer.appending("context_size"), what: "`context_size`", minimum: 256, maximum: 1 << 20) {
            settings.contextSize = size
        }
        let samplingPointer = pointer.appending("sampling")
        if let sampling = reader.mapping(object["sampling"], at: samplingPointer, what: "`sampling`",
                                         keys: ["temperature", "top_p", "top_k", "seed"]) {
            if let t = reader.number(sampling["temperature"], at: samplingPointer.appending("temperature"), what: "`temperature`", minimum: 0, maximum: 5) {
                settings.sampling.temperature = t
            }
            if let p = reader.number(sampling["top_p"], at: samplingPointer.appending("top_p"), what: "`top_p`", minimum: 0, maximum: 1, exclusiveMinimum: true) {
                settings.sampling.topP = p
            }
            if let k = reader.integer(sampling["top_k"], at: samplingPointer.appending("top_k"), what: "`top_k`") {
                settings.sampling.topK = k
            }
            if let seed = reader.integer(sampling["seed"], at: samplingPointer.appending("seed"), what: "`seed`") {
                settings.sampling.seed = UInt64(seed)
            }
        }
        return settings
    }

    // MARK: Inputs and output

    private mutating func decodeInputs(_ value: JSONValue?, at pointer: JSONPointer) -> ([WorkflowInput], JSONValue) {
        guard let value else {
            return ([], shorthand.compileModel([:], title: "Inputs", at: pointer))
        }
        guard case .object(let fields) = value else {
            reader.report(pointer, "`inputs` must be a mapping of input names to types, found \(SpecReader.article(value))",
                          hint: "for example `question: str`")
            return ([], [:])
        }
        for name in fields.keys where !ShorthandCompiler.isToolName(name) || name.contains("-") {
            reader.report(pointer.appending(name), anchor: .key, "the input name `\(name)` must be an identifier (letters, digits, `_`) so that `{{\(name)}}` can refer to it")
        }
        let schema = shorthand.compileModel(fields, title: "Inputs", at: pointer)
        if reportShorthandErrors() { checkDefaults(schema, at: pointer) }
        let properties = schema["properties"]?.objectValue ?? [:]
        let inputs = fields.keys.map { name in
            let property = properties[name] ?? [:]
            return WorkflowInput(name: name, schema: property, description: property["description"]?.stringValue,
                                 defaultValue: property["default"])
        }
        return (inputs, schema)
    }

    private mutating func decodeOutput(_ top: JSONObject, at root: JSONPointer) -> JSONValue? {
        switch (top["output"], top["output_schema"]) {
        case (nil, nil):
            reader.report(root, "the workflow is missing the required key `output`",
                          hint: "declare the answer's type, e.g. `output: {answer: str}`, or give `output_schema:` as JSON Schema")
            return nil
        case (.some, .some):
            reader.report(root.appending("output_schema"), anchor: .key, "give either `output` (shorthand) or `output_schema` (JSON Schema), not both")
            return nil
        case (let shorthandValue?, nil):
            let pointer = root.appending("output")
            if case .object = shorthandValue {} else if case .string = shorthandValue {} else {
                reader.report(pointer, "`output` must be a mapping of fields or a type such as `list[str]`, found \(SpecReader.article(shorthandValue))")
                return nil
            }
            let schema = shorthand.compileType(shorthandValue, title: "Output", at: pointer)
            guard reportShorthandErrors() else { return nil }
            if case .object = shorthandValue { checkDefaults(schema, at: pointer) }
            return schema
        case (nil, let schema?):
            return checkedJSONSchema(schema, at: root.appending("output_schema"))
        }
    }

    /// A full JSON Schema, compiled to check it; errors point into the YAML.
    private mutating func checkedJSONSchema(_ schema: JSONValue, at pointer: JSONPointer) -> JSONValue? {
        do {
            _ = try SchemaDocument(compiling: schema)
            return schema
        } catch {
            for problem in error.errors {
                reader.report(pointer.appending(problem.pointer), Self.stripPointer(problem.description, problem.pointer))
            }
            return nil
        }
    }

    /// The schema compiler's message without its leading "pointer: ", since the YAML position replaces it.
    static func stripPointer(_ message: String, _ pointer: JSONPointer) -> String {
        let prefix = pointer.displayString + ": "
        return message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message
    }

    // MARK: Servers

    private mutating func decodeServers(_ value: JSONValue?, at pointer: JSONPointer) -> [MCPServer] {
        guard let value else { return [] }
        guard case .object(let entries) = value else {
            reader.report(pointer, "`servers` must be a mapping of server names to `command:` or `url:` entries, found \(SpecReader.article(value))")
            return []
        }
        var servers: [MCPServer] = []
        for (name, entry) in entries {
            let here = pointer.appending(name)
            guard let object = reader.mapping(entry, at: here, what: "the server `\(name)`", keys: ["command", "env", "url", "headers"]) else { continue }
            switch (object["command"], object["url"]) {
            case (let command?, nil):
                if object["headers"] != nil {
                    reader.report(here.appending("headers"), anchor: .key, "`headers` applies to `url:` servers; a `command:` server takes `env:`")
                }
                let argv = reader.stringList(command, at: here.appending("command"), what: "`command`",
                                             stringHint: "write the program and its arguments as a list, e.g. [\"npx\", \"-y\", \"server\"]; Arbor never runs a shell")
                let environment = reader.stringPairs(object["env"], at: here.appending("env"), what: "`env`")
                if let argv {
                    if argv.isEmpty { reader.report(here.appending("command"), "`command` needs at least the program to run") }
                    servers.append(MCPServer(name: name, transport: .stdio(command: argv, environment: environment)))
                }
            case (nil, let url?):
                if object["env"] != nil {
                    reader.report(here.appending("env"), anchor: .key, "`env` applies to `command:` servers; a `url:` server takes `headers:`")
                }
                let headers = reader.stringPairs(object["headers"], at: here.appending("headers"), what: "`headers`")
                if let url = reader.string(url, at: here.appending("url"), what: "`url`") {
                    if !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                        reader.report(here.appending("url"), "an MCP server URL must start with http:// or https://")
                    }
                    servers.append(MCPServer(name: name, transport: .http(url: url, headers: headers)))
                }
            case (.some, .some):
                reader.report(here, "the server `\(name)` has both `command` and `url`; give one")
            case (nil, nil):
                reader.report(here, "the server `\(name)` needs `command:` (a local program speaking MCP on stdio) or `url:` (a streamable-HTTP endpoint)")
            }
        }
        return servers
    }

    // MARK: Tools

    private mutating func decodeTools(_ value: JSONValue?, at pointer: JSONPointer) -> [Tool] {
        guard let value else { return [] }
        guard case .array(let entries) = value else {
            reader.report(pointer, "`tools` must be a list of tools (`- name: ...`), found \(SpecReader.article(value))")
            return []
        }
        var tools: [Tool] = []
        for (index, entry) in entries.enumerated() {
            let here = pointer.appending(index: index)
            if let tool = decodeTool(entry, at: here) {
                tools.append(tool)
                sourcePointers.tools.append(here)
            }
        }
        return tools
    }

    private mutating func decodeTool(_ value: JSONValue, at pointer: JSONPointer) -> Tool? {
        guard let object = reader.mapping(value, at: pointer, what: "a tool", keys: Self.toolKeys, required: ["name"]) else { return nil }
        let name = reader.string(object["name"], at: pointer.appending("name"), what: "a tool's `name`")
        if let name, !ShorthandCompiler.isToolName(name) {
            reader.report(pointer.appending("name"), "the tool name `\(name)` may only use letters, digits, `-` and `_`")
        }
        let toolName = name ?? "tool"
        var description = reader.string(object["description"], at: pointer.appending("description"), what: "`description`")

        let kinds = object.keys.filter { Self.implementationKeys.contains($0) }
        guard kinds.count == 1, let kind = kinds.first else {
            if kinds.isEmpty {
                reader.report(pointer, "the tool `\(toolName)` needs exactly one implementation: `mcp`, `http`, `command` or `builtin`")
            } else {
                reader.report(pointer.appending(kinds[1]), anchor: .key,
                              "the tool `\(toolName)` has more than one implementation (\(kinds.map { "`\($0)`" }.joined(separator: ", "))); keep one")
            }
            return nil
        }
        let implementationPointer = pointer.appending(kind)
        var implementation: ToolImplementation?
        var parameters: ToolParameters?
        switch kind {
        case "builtin":
            if let builtinName = reader.string(object["builtin"], at: implementationPointer, what: "`builtin`") {
                if let builtin = BuiltinTool(rawValue: builtinName) {
                    implementation = .builtin(builtin)
                    parameters = .schema(builtin.parametersSchema)
                    if description == nil { description = builtin.summary }
                    for key in ["parameters", "parameters_schema"] where object.contains(key) {
                        reader.report(pointer.appending(key), anchor: .key, "a built-in tool has fixed parameters; remove `\(key)`")
                    }
                } else {
                    let names = BuiltinTool.allCases.map(\.rawValue)
                    reader.report(implementationPointer, "`\(builtinName)` is not a built-in tool",
                                  hint: SpellingHint.didYouMean(builtinName, in: names) ?? "built-in tools: \(names.joined(separator: ", "))")
                }
            }
        case "mcp":
            if let binding = reader.mapping(object["mcp"], at: implementationPointer, what: "`mcp`", keys: ["server", "tool"], required: ["server"]),
               let server = reader.string(binding["server"], at: implementationPointer.appending("server"), what: "`mcp.server`") {
                let remote = reader.string(binding["tool"], at: implementationPointer.appending("tool"), what: "`mcp.tool`") ?? toolName
                implementation = .mcp(MCPToolBinding(server: server, tool: remote))
            }
        case "http":
            implementation = decodeHTTP(object["http"]!, at: implementationPointer).map { .http($0) }
        default:
            let command = object["command"]!
            if case .string(let text) = command {
                let words = text.split(separator: " ").map { "\"\($0)\"" }.joined(separator: ", ")
                reader.report(implementationPointer, "`command` must be a list of arguments, not one string; Arbor never runs a shell",
                              hint: "write `command: [\(words)]`")
            } else if let object = reader.mapping(command, at: implementationPointer, what: "`command`", keys: ["argv", "timeout_seconds"], required: ["argv"]) {
                let argv = reader.stringList(object["argv"], at: implementationPointer.appending("argv"), what: "`argv`",
                                             stringHint: "write the program and its arguments as a list; Arbor never runs a shell")
                let timeout = reader.number(object["timeout_seconds"], at: implementationPointer.appending("timeout_seconds"), what: "`timeout_seconds`", minimum: 0, exclusiveMinimum: true)
                if let argv {
                    implementation = commandTemplate(argv, timeout: timeout, at: implementationPointer.appending("argv"))
                    sourcePointers.argv[pointer] = implementationPointer.appending("argv")
                }
            } else if case .array = command,
                      let argv = reader.stringList(command, at: implementationPointer, what: "`command`") {
                implementation = commandTemplate(argv, timeout: nil, at: implementationPointer)
            }
        }

        if parameters == nil {
            switch (object["parameters"], object["parameters_schema"]) {
            case (.some, .some):
                reader.report(pointer.appending("parameters_schema"), anchor: .key, "give either `parameters` (shorthand) or `parameters_schema` (JSON Schema), not both")
            case (let fields?, nil):
                let here = pointer.appending("parameters")
                if case .object(let map) = fields {
                    let schema = shorthand.compileModel(map, title: ShorthandCompiler.pascalCase(toolName) + "Parameters", at: here)
                    if reportShorthandErrors() { checkDefaults(schema, at: here) }
                    parameters = .schema(schema)
                } else {
                    reader.report(here, "`parameters` must be a mapping of parameter names to types, found \(SpecReader.article(fields))",
                                  hint: "for a full JSON Schema use `parameters_schema:`")
                }
            case (nil, let schema?):
                let here = pointer.appending("parameters_schema")
                if let checked = checkedJSONSchema(schema, at: here) {
                    if checked["type"] != "object" {
                        reader.report(here, "a tool's `parameters_schema` must describe an object (`type: object`), since arguments are named")
                    }
                    parameters = .schema(checked)
                }
            case (nil, nil):
                if case .mcp? = implementation {
                    parameters = .fromServer
                } else if implementation != nil {
                    parameters = .schema(shorthand.compileModel([:], title: ShorthandCompiler.pascalCase(toolName) + "Parameters", at: pointer))
                }
            }
        }
        if description == nil, object["description"] == nil {
            reader.report(pointer, "the tool `\(toolName)` is missing the required key `description`",
                          hint: "the model chooses tools by their description; say what it does and returns")
        }
        guard let name, let description, let parameters, let implementation else { return nil }
        return Tool(name: name, description: description, parameters: parameters, implementation: implementation)
    }

    private mutating func commandTemplate(_ argv: [String], timeout: Double?, at pointer: JSONPointer) -> ToolImplementation? {
        guard !argv.isEmpty else {
            reader.report(pointer, "`command` needs at least the program to run")
            return nil
        }
        return .command(CommandTemplate(argv: argv, timeoutSeconds: timeout ?? 30))
    }

    private mutating func decodeHTTP(_ value: JSONValue, at pointer: JSONPointer) -> HTTPRequestTemplate? {
        guard let object = reader.mapping(value, at: pointer, what: "`http`",
                                          keys: ["method", "url", "headers", "body", "allowed_hosts", "timeout_seconds"],
                                          required: ["url"]) else { return nil }
        var method = HTTPRequestTemplate.Method.get
        if let text = reader.string(object["method"], at: pointer.appending("method"), what: "`method`") {
            if let parsed = HTTPRequestTemplate.Method(rawValue: text.uppercased()) { method = parsed } else {
                reader.report(pointer.appending("method"), "`\(text)` is not an HTTP method Arbor sends",
                              hint: "use one of \(HTTPRequestTemplate.Method.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let url = reader.string(object["url"], at: pointer.appending("url"), what: "`url`")
        var host: String?
        if let url {
            host = Self.host(of: url)
            if host == nil {
                reader.report(pointer.appending("url"), "`url` must be an absolute http:// or https:// URL with a fixed host",
                              hint: "placeholders such as {{query}} may appear in the path and query, not in the host")
            }
        }
        let headers = reader.stringPairs(object["headers"], at: pointer.appending("headers"), what: "`headers`")
        if method == .get, object["body"] != nil {
            reader.report(pointer.appending("body"), anchor: .key, "a GET request has no body; use `method: POST` or remove `body`")
        }
        var allowedHosts = host.map { [$0] } ?? []
        if let hosts = reader.stringList(object["allowed_hosts"], at: pointer.appending("allowed_hosts"), what: "`allowed_hosts`") {
            allowedHosts = hosts
            if let host, !hosts.contains(host) {
                reader.report(pointer.appending("url"), "the URL's host `\(host)` is not in `allowed_hosts`",
                              hint: "add `\(host)` to `allowed_hosts`")
            }
        }
        let timeout = reader.number(object["timeout_seconds"], at: pointer.appending("timeout_seconds"), what: "`timeout_seconds`", minimum: 0, exclusiveMinimum: true)
        guard let url, host != nil else { return nil }
        return HTTPRequestTemplate(method: method, url: url, headers: headers, body: object["body"], allowedHosts: allowedHosts,
                                   timeoutSeconds: timeout ?? 30)
    }

    /// The host of an absolute http(s) URL, if it is written literally.
    static func host(of url: String) -> String? {
        let rest: Substring
        if url.hasPrefix("https://") { rest = url.dropFirst(8) } else if url.hasPrefix("http://") { rest = url.dropFirst(7) } else { return nil }
        let authority = rest.prefix(while: { $0 != "/" && $0 != "?" && $0 != "#" })
        let hostPart = authority.split(separator: "@").last.map(String.init) ?? ""
        let host = hostPart.hasPrefix("[") ? hostPart : String(hostPart.prefix(while: { $0 != ":" }))
        guard !host.isEmpty, !host.contains("{"), !host.contains("$") else { return nil }
        return host.lowercased()
    }

    // MARK: Limits, steps, tests

    private mutating func decodeLimits(_ value: JSONValue?, at pointer: JSONPointer) -> Limits {
        var limits = Limits()
        guard let object = reader.mapping(value, at: pointer, what: "`limits`",
                                          keys: ["max_depth", "max_tool_calls", "max_breadth", "max_tokens", "round_budget", "max_rounds", "prune_buffer"]) else {
            return limits
        }
        func read(_ key: String, minimum: Int64, maximum: Int64 = .max) -> Int? {
            reader.integer(object[key], at: pointer.appending(key), what: "`\(key)`", minimum: minimum, maximum: maximum)
        }
        if let v = read("max_depth", minimum: 1, maximum: 16) { limits.maxDepth = v }
        if let v = read("max_tool_calls", minimum: 0) { limits.maxToolCalls = v }
        if let v = read("max_breadth", minimum: 1, maximum: 256) { limits.maxBreadth = v }
        if let v = read("max_tokens", minimum: 1) { limits.maxTokens = v }
        if let v = read("round_budget", minimum: 64) { limits.roundBudget = v }
        if let v = read("max_rounds", minimum: 1, maximum: 1000) { limits.maxRounds = v }
        if let v = read("prune_buffer", minimum: 0, maximum: 64) { limits.pruneBuffer = v }
        return limits
    }

    private mutating func decodeSteps(_ value: JSONValue?, at pointer: JSONPointer) -> [Step] {
        guard let value else { return [] }
        guard case .array(let entries) = value else {
            reader.report(pointer, "`steps` must be a list of steps (`- name: ...`), found \(SpecReader.article(value))")
            return []
        }
        var steps: [Step] = []
        for (index, entry) in entries.enumerated() {
            let here = pointer.appending(index: index)
            guard let object = reader.mapping(entry, at: here, what: "a step", keys: ["name", "goal", "tools"], required: ["name", "goal"]) else { continue }
            let name = reader.string(object["name"], at: here.appending("name"), what: "a step's `name`")
            let goal = reader.string(object["goal"], at: here.appending("goal"), what: "a step's `goal`")
            let tools = reader.stringList(object["tools"], at: here.appending("tools"), what: "a step's `tools`",
                                          stringHint: "write `tools: [\(object["tools"]?.stringValue ?? "name")]`")
            if let name, let goal, object["tools"] == nil || tools != nil {
                steps.append(Step(name: name, goal: goal, tools: tools))
                sourcePointers.steps.append(here)
            }
        }
        return steps
    }

    private mutating func decodeTests(_ value: JSONValue?, at pointer: JSONPointer) -> [JSONValue] {
        guard let value else { return [] }
        guard case .array(let entries) = value else {
            reader.report(pointer, "`tests` must be a list of test cases (`- inputs: ...`), found \(SpecReader.article(value))")
            return []
        }
        for (index, entry) in entries.enumerated() where entry.objectValue == nil {
            reader.report(pointer.appending(index: index), "each test case must be a mapping, found \(SpecReader.article(entry))")
        }
        return entries
    }
}

extension ShorthandCompiler {
    /// Tool, workflow and input names: letters, digits, `-` and `_`, not starting with a digit or `-`.
    static func isToolName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }
}
