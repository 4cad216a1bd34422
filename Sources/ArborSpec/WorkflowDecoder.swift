import ArborSchema

/// Turns the JSON form of a workflow file into a ``Workflow``, collecting every problem.
///
/// Structural problems (types, unknown and missing keys, shorthand and schema errors) are
/// found here; cross-references (tool names, servers, template variables) are checked by
/// ``WorkflowChecker`` with the pointers this decoder records.
struct WorkflowDecoder {
    static let topLevelKeys = ["arbor", "name", "description", "model", "inputs", "instructions", "types", "servers",
                               "tools", "output", "output_schema", "limits", "steps", "tests"]
    static let toolKeys = ["name", "description", "parameters", "parameters_schema", "mcp", "http", "command", "builtin", "root"]
    static let implementationKeys = ["mcp", "http", "command", "builtin"]

    var reader = SpecReader()
    var sourcePointers = WorkflowChecker.SourcePointers()
    var shorthand = ShorthandCompiler()

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
        if let name, !SpecNames.isValidName(name) {
            reader.report(root.appending("name"), "the workflow name `\(name)` may only use letters, digits, `-` and `_`")
        }
        let description = reader.string(top["description"], at: root.appending("description"), what: "`description`")
        var model = decodeModel(top["model"], at: root.appending("model"))

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
        if top["model"]?.objectValue?["tree_syntax"] == nil {
            model.treeSyntax = .default(tools: tools, outputSchema: outputSchema ?? [:], hasFixedSteps: !steps.isEmpty,
                                        hasRoundBudget: limits.roundBudget != nil)
        }

        // Parts that failed are replaced by neutral values so that the cross-reference checks
        // still run; the loader returns no workflow when any error was reported.
        return Workflow(version: version ?? 1, name: name ?? "", description: description, model: model, inputs: inputs,
                        inputsSchema: inputsSchema, instructions: instructions ?? PromptTemplate.empty, types: types, servers: servers,
                        tools: tools, outputSchema: outputSchema ?? [:], limits: limits, steps: steps, tests: tests)
    }

    /// Moves the shorthand compiler's errors into the report; true when there were none.
    @discardableResult
    mutating func reportShorthandErrors() -> Bool {
        let clean = shorthand.errors.isEmpty
        for error in shorthand.errors {
            reader.report(error.pointer, anchor: error.isAboutKey ? .key : .value, offset: error.offset, error.message, hint: error.hint)
        }
        shorthand.clearErrors()
        return clean
    }

    /// Each field's `default` must satisfy the field's own schema (Pydantic does not check
    /// this, but a default the grammar could never produce is surely a mistake).
    mutating func checkDefaults(_ schema: JSONValue, at pointer: JSONPointer) {
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
        guard let object = reader.mapping(value, at: pointer, what: "`model`", keys: ["file", "context_size", "tree_syntax", "sampling", "backend", "url", "model", "api_key", "tokenizer"]) else {
            return settings
        }
        settings.server = decodeServer(object, at: pointer)
        settings.file = reader.string(object["file"], at: pointer.appending("file"), what: "`model.file`")
        if let file = settings.file, !file.hasSuffix(".gguf") {
            reader.report(pointer.appending("file"), "`model.file` must name a GGUF file (ending in .gguf)")
        }
        if let size = reader.integer(object["context_size"], at: pointer.appending("context_size"), what: "`context_size`", minimum: 256, maximum: 1 << 20) {
            settings.contextSize = size
        }
        if let syntax = reader.string(object["tree_syntax"], at: pointer.appending("tree_syntax"), what: "`tree_syntax`") {
            if let known = TreeSyntax(rawValue: syntax) {
                settings.treeSyntax = known
            } else {
                reader.report(pointer.appending("tree_syntax"), "unknown `tree_syntax` `\(syntax)`",
                              hint: "one of: " + TreeSyntax.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        let samplingPointer = pointer.appending("sampling")
        if let sampling = reader.mapping(object["sampling"], at: samplingPointer, what: "`sampling`",
                                         keys: ["temperature", "top_p", "top_k", "repetition_penalty", "seed"]) {
            if let t = reader.number(sampling["temperature"], at: samplingPointer.appending("temperature"), what: "`temperature`", minimum: 0, maximum: 5) {
                settings.sampling.temperature = t
            }
            if let p = reader.number(sampling["top_p"], at: samplingPointer.appending("top_p"), what: "`top_p`", minimum: 0, maximum: 1, exclusiveMinimum: true) {
                settings.sampling.topP = p
            }
            if let k = reader.integer(sampling["top_k"], at: samplingPointer.appending("top_k"), what: "`top_k`") {
                settings.sampling.topK = k
            }
            if let r = reader.number(sampling["repetition_penalty"], at: samplingPointer.appending("repetition_penalty"),
                                     what: "`repetition_penalty`", minimum: 1, maximum: 2) {
                settings.sampling.repetitionPenalty = r
            }
            if let seed = reader.integer(sampling["seed"], at: samplingPointer.appending("seed"), what: "`seed`") {
                settings.sampling.seed = UInt64(seed)
            }
        }
        return settings
    }

    /// The serving-engine keys of `model:`; `url` is needed with `backend` and the others need it.
    private mutating func decodeServer(_ object: JSONObject, at pointer: JSONPointer) -> ModelServer? {
        let backend = reader.string(object["backend"], at: pointer.appending("backend"), what: "`model.backend`")
        guard let backend else {
            for key in ["url", "model", "api_key", "tokenizer"] where object[key] != nil {
                reader.report(pointer.appending(key), "`model.\(key)` names a serving engine's setting, but `model.backend` is missing",
                              hint: "add `backend: llama-server` (or vllm, sglang), or remove `\(key)`")
            }
            return nil
        }
        if !ModelServer.backends.contains(backend) {
            reader.report(pointer.appending("backend"), "unknown `model.backend` `\(backend)`", hint: "one of: " + ModelServer.backends.joined(separator: ", "))
        }
        let url = reader.string(object["url"], at: pointer.appending("url"), what: "`model.url`")
        if url == nil && object["url"] == nil {
            reader.report(pointer.appending("backend"), "`model.backend` needs `model.url`, the server's address",
                          hint: "add e.g. `url: http://127.0.0.1:8080`")
        }
        if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            reader.report(pointer.appending("url"), "`model.url` must be an http:// or https:// URL, not `\(url)`")
        }
        var keyVariable: String?
        if let key = reader.string(object["api_key"], at: pointer.appending("api_key"), what: "`model.api_key`") {
            if key.hasPrefix("${"), key.hasSuffix("}"), key.count > 3 {
                keyVariable = String(key.dropFirst(2).dropLast())
            } else {
                reader.report(pointer.appending("api_key"), "`model.api_key` must name an environment variable as `${NAME}`, never hold the key itself",
                              hint: "write `api_key: ${MY_SERVER_KEY}` and export MY_SERVER_KEY")
            }
        }
        let tokenizer = reader.string(object["tokenizer"], at: pointer.appending("tokenizer"), what: "`model.tokenizer`")
        if let tokenizer, !tokenizer.hasSuffix(".gguf") {
            reader.report(pointer.appending("tokenizer"), "`model.tokenizer` must name a GGUF file (ending in .gguf), whose tokenizer the server's must equal")
        }
        return ModelServer(backend: backend, url: url ?? "", model: reader.string(object["model"], at: pointer.appending("model"), what: "`model.model`"),
                           apiKeyVariable: keyVariable, tokenizer: tokenizer)
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
        for name in fields.keys where !SpecNames.isValidName(name) || name.contains("-") {
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
            checkFinite(schema, at: pointer, what: "the output")
            return schema
        case (nil, let schema?):
            let checked = checkedJSONSchema(schema, at: root.appending("output_schema"))
            if let checked { checkFinite(checked, at: root.appending("output_schema"), what: "the output schema") }
            return checked
        }
    }

    /// A schema whose every value must contain another (a recursion with no base case) would
    /// compile, and its grammar could never finish; report it here instead.
    mutating func checkFinite(_ schema: JSONValue, at pointer: JSONPointer, what: String) {
        guard let document = try? SchemaDocument(compiling: schema), !document.hasFiniteInstance else { return }
        reader.report(pointer, "\(what) has no finite value: every value must contain another of its own kind",
                      hint: "give the recursion a way to end, e.g. a field of type `Optional[Node]` with `default: null`, or `list[Node]`")
    }

    /// A full JSON Schema, compiled to check it; errors point into the YAML.
    mutating func checkedJSONSchema(_ schema: JSONValue, at pointer: JSONPointer) -> JSONValue? {
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

    // MARK: Limits, steps, tests

    private mutating func decodeLimits(_ value: JSONValue?, at pointer: JSONPointer) -> Limits {
        var limits = Limits()
        guard let object = reader.mapping(value, at: pointer, what: "`limits`",
                                          keys: ["max_depth", "max_tool_calls", "max_breadth", "max_tokens", "round_budget", "max_rounds", "prune_buffer", "max_text_length", "max_tool_string_length"]) else {
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
        if let v = read("max_text_length", minimum: 16, maximum: 2048) { limits.maxTextLength = v }
        if let v = read("max_tool_string_length", minimum: 1, maximum: 2048) { limits.maxToolStringLength = v }
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

/// The rule for workflow, tool and input names.
enum SpecNames {
    /// Letters, digits, `-` and `_`, not starting with a digit or `-`.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }
}
