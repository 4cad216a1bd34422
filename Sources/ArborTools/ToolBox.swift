import ArborSchema
import ArborSpec
import Foundation

/// The tools of one run: built from a workflow's `tools` and `servers`, called by name with
/// validation and a time limit, and shut down at the end.
///
/// ```swift
/// let box = try await ToolBox(workflow: workflow)
/// let outcome = await box.call("calculator", arguments: ["expression": "2^10"])
/// outcome.modelJSON   // {"result": 1024, "exact": true}
/// await box.shutdown()
/// ```
///
/// `call` never throws: unknown tools, invalid arguments, timeouts and tool failures come
/// back as a failed ``ToolOutcome`` whose error names the tool and what failed.
public actor ToolBox {
    private struct Entry {
        let tool: any ArborTool
        let schema: SchemaDocument
    }

    private let entries: [String: Entry]
    /// Tool names in the order the workflow declares them.
    public let toolNames: [String]
    private var servers: [MCPServerConnection]

    /// Registers `tools` as they are (no MCP servers to shut down).
    public init(tools: [any ArborTool]) throws(ToolError) {
        var entries: [String: Entry] = [:], names: [String] = []
        for tool in tools { try Self.register(tool, in: &entries, names: &names) }
        self.entries = entries
        toolNames = names
        servers = []
    }

    /// Builds every tool of `workflow`; starts the MCP servers its tools use and fetches the
    /// schemas of MCP tools that omit `parameters`. `environment` fills `${VAR}` in headers
    /// and server environments (default: this process's environment).
    public init(workflow: Workflow, environment: [String: String] = ProcessInfo.processInfo.environment) async throws(ToolError) {
        var connections: [String: MCPServerConnection] = [:], started: [MCPServerConnection] = []
        var entries: [String: Entry] = [:], names: [String] = []
        var documentIndexes: [String: DocumentIndex] = [:]
        do throws(ToolError) {
            for spec in workflow.tools {
                let tool: any ArborTool
                switch spec.implementation {
                case .builtin(let builtin):
                    tool = BuiltinToolImplementation(builtin, name: spec.name, description: spec.description)
                case .documents(let binding):
                    tool = try DocumentTool(binding, name: spec.name, description: spec.description,
                                            sharing: &documentIndexes, environment: environment)
                case .command(let template):
                    tool = CommandTool(name: spec.name, description: spec.description,
                                       parametersSchema: try Self.schema(of: spec), template: template, environment: environment)
                case .http(let template):
                    tool = HTTPTool(name: spec.name, description: spec.description,
                                    parametersSchema: try Self.schema(of: spec), template: template, environment: environment)
                case .mcp(let binding):
                    let connection: MCPServerConnection
                    if let open = connections[binding.server] {
                        connection = open
                    } else {
                        guard let server = workflow.server(named: binding.server) else {
                            throw ToolError.mcpServerFailed(server: binding.server, target: "not declared",
                                                            message: "tool '\(spec.name)' names a server missing from servers:")
                        }
                        connection = try await MCPServerConnection.start(server, environment: environment)
                        connections[binding.server] = connection
                        started.append(connection)
                    }
                    tool = try await connection.tool(named: binding.tool, as: spec.name, description: spec.description,
                                                     parameters: spec.parameters)
                }
                try Self.register(tool, in: &entries, names: &names)
            }
        } catch {
            for connection in started { await connection.shutdown() }
            throw error
        }
        self.entries = entries
        toolNames = names
        servers = started
    }

    private static func schema(of spec: Tool) throws(ToolError) -> JSONValue {
        guard case .schema(let schema) = spec.parameters else {
            throw ToolError.invalidParameterSchema(tool: spec.name, message: "only MCP tools may take their parameters from the server")
        }
        return schema
    }

    private static func register(_ tool: any ArborTool, in entries: inout [String: Entry], names: inout [String]) throws(ToolError) {
        let document: SchemaDocument
        do {
            document = try SchemaDocument(compiling: tool.parametersSchema)
        } catch {
            throw ToolError.invalidParameterSchema(tool: tool.name, message: String(describing: error))
        }
        if entries[tool.name] == nil { names.append(tool.name) }
        entries[tool.name] = Entry(tool: tool, schema: document)
    }

    /// The tool called `name`, with its final parameter schema (MCP schemas included).
    public func tool(named name: String) -> (any ArborTool)? { entries[name]?.tool }

    /// Every tool, in declaration order.
    public var tools: [any ArborTool] { toolNames.compactMap { entries[$0]?.tool } }

    /// Validates `arguments`, calls the tool under its time limit (or `timeoutSeconds` when
    /// given) and records the outcome.
    public func call(_ name: String, arguments: JSONValue, timeoutSeconds: Double? = nil) async -> ToolOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        let result: ToolOutcome.Result
        if let entry = entries[name] {
            result = await Self.run(entry, arguments: arguments, timeoutSeconds: timeoutSeconds ?? entry.tool.timeoutSeconds)
        } else {
            result = .failure(.unknownTool(name: name, known: toolNames))
        }
        return ToolOutcome(tool: name, arguments: arguments, result: result, duration: clock.now - start)
    }

    /// Parses `argumentsText` (the JSON the model wrote) and calls the tool; text that is not
    /// JSON becomes a failed outcome with ``ToolError/malformedArguments(tool:message:)``.
    public func call(_ name: String, argumentsText: String, timeoutSeconds: Double? = nil) async -> ToolOutcome {
        let arguments: JSONValue
        do {
            arguments = try JSONValue(parsing: argumentsText)
        } catch {
            return ToolOutcome(tool: name, arguments: .string(argumentsText),
                               result: .failure(.malformedArguments(tool: name, message: error.description)), duration: .zero)
        }
        return await call(name, arguments: arguments, timeoutSeconds: timeoutSeconds)
    }

    private static func run(_ entry: Entry, arguments: JSONValue, timeoutSeconds: Double) async -> ToolOutcome.Result {
        let violations = entry.schema.validate(arguments)
        guard violations.isEmpty else {
            return .failure(.invalidArguments(tool: entry.tool.name, violations: violations))
        }
        let tool = entry.tool
        do {
            let value = try await withDeadline(
                seconds: timeoutSeconds,
                onTimeout: { ToolError.timedOut(tool: tool.name, target: describeTarget(tool), seconds: timeoutSeconds) },
                operation: { try await tool.call(arguments: arguments) })
            return .success(value)
        } catch let error as ToolError {
            return .failure(error)
        } catch {
            return .failure(.builtinFailed(tool: tool.name, message: String(describing: error)))
        }
    }

    /// Stops every MCP server this box started; later calls to their tools fail.
    public func shutdown() async {
        for connection in servers { await connection.shutdown() }
        servers.removeAll()
    }
}

/// The command, URL or server a tool reaches, for error messages.
func describeTarget(_ tool: any ArborTool) -> String {
    switch tool {
    case let command as CommandTool: return "command \(command.commandLine)"
    case let http as HTTPTool: return "\(http.template.method.rawValue) \(http.template.url)"
    case let mcp as MCPTool: return "MCP server '\(mcp.serverName)'"
    default: return "built-in"
    }
}
