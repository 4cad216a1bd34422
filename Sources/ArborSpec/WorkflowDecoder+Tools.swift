import ArborSchema

/// Decoding of `servers:` and `tools:`: each tool's parameters and its one implementation.
extension WorkflowDecoder {
    // MARK: Servers

    mutating func decodeServers(_ value: JSONValue?, at pointer: JSONPointer) -> [MCPServer] {
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

    mutating func decodeTools(_ value: JSONValue?, at pointer: JSONPointer) -> [Tool] {
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
        if let name, !SpecNames.isValidName(name) {
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
        if object.contains("root"), kind != "builtin" || object["builtin"]?.stringValue.flatMap(DocumentBuiltin.init(rawValue:)) == nil {
            reader.report(pointer.appending("root"), anchor: .key,
                          "`root` applies only to the built-ins \(DocumentBuiltin.allCases.map { "`\($0.rawValue)`" }.joined(separator: " and ")); remove it")
        }
        var implementation: ToolImplementation?
        var parameters: ToolParameters?
        switch kind {
        case "builtin":
            if let builtinName = reader.string(object["builtin"], at: implementationPointer, what: "`builtin`") {
                if let documents = DocumentBuiltin(rawValue: builtinName) {
                    if let root = decodeDocumentRoot(object["root"], of: toolName, at: pointer) {
                        implementation = .documents(DocumentToolBinding(documents, root: root))
                    }
                    parameters = .schema(documents.parametersSchema)
                    if description == nil { description = documents.summary }
                    for key in ["parameters", "parameters_schema"] where object.contains(key) {
                        reader.report(pointer.appending(key), anchor: .key, "a built-in tool has fixed parameters; remove `\(key)`")
                    }
                } else if let builtin = BuiltinTool(rawValue: builtinName) {
                    implementation = .builtin(builtin)
                    parameters = .schema(builtin.parametersSchema)
                    if description == nil { description = builtin.summary }
                    for key in ["parameters", "parameters_schema"] where object.contains(key) {
                        reader.report(pointer.appending(key), anchor: .key, "a built-in tool has fixed parameters; remove `\(key)`")
                    }
                } else {
                    let names = BuiltinTool.allCases.map(\.rawValue) + DocumentBuiltin.allCases.map(\.rawValue)
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
            } else if case .array = command {
                // The short form: the argument list itself.
                if let argv = reader.stringList(command, at: implementationPointer, what: "`command`") {
                    implementation = commandTemplate(argv, timeout: nil, environment: [], at: implementationPointer)
                }
            } else if let object = reader.mapping(command, at: implementationPointer, what: "`command`", keys: ["argv", "timeout_seconds", "env"], required: ["argv"]) {
                let argv = reader.stringList(object["argv"], at: implementationPointer.appending("argv"), what: "`argv`",
                                             stringHint: "write the program and its arguments as a list; Arbor never runs a shell")
                let timeout = reader.number(object["timeout_seconds"], at: implementationPointer.appending("timeout_seconds"), what: "`timeout_seconds`", minimum: 0, exclusiveMinimum: true)
                let environment = reader.stringPairs(object["env"], at: implementationPointer.appending("env"), what: "`env`")
                if let argv {
                    implementation = commandTemplate(argv, timeout: timeout, environment: environment, at: implementationPointer.appending("argv"))
                    sourcePointers.argv[pointer] = implementationPointer.appending("argv")
                }
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

    /// The folder of a document built-in: required, a non-empty path.
    private mutating func decodeDocumentRoot(_ value: JSONValue?, of toolName: String, at pointer: JSONPointer) -> String? {
        guard let value else {
            reader.report(pointer, "the tool `\(toolName)` needs `root:`, the folder of documents it searches",
                          hint: "e.g. `root: Examples/research-corpus` (relative to the directory Arbor runs in)")
            return nil
        }
        return reader.string(value, at: pointer.appending("root"), what: "`root`")
    }

    private mutating func commandTemplate(_ argv: [String], timeout: Double?, environment: [HTTPHeader], at pointer: JSONPointer) -> ToolImplementation? {
        guard !argv.isEmpty else {
            reader.report(pointer, "`command` needs at least the program to run")
            return nil
        }
        return .command(CommandTemplate(argv: argv, timeoutSeconds: timeout ?? 30, environment: environment))
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
}
