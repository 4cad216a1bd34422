import ArborSchema
import ArborSpec
import Foundation
import MCP
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One running MCP server and the client session with it (modelcontextprotocol/swift-sdk).
///
/// For a stdio server the connection spawns the process (`command` from `servers:`, no
/// shell), speaks JSON-RPC over its stdin/stdout, and on ``shutdown()`` disconnects, closes
/// the pipes and terminates the child. For an HTTP server it uses the streamable-HTTP
/// transport. ``start(_:environment:startupTimeout:)`` initialises the session and fetches
/// `tools/list`, so MCP tools without `parameters` take the server's input schemas.
///
/// ```swift
/// let server = try await MCPServerConnection.start(workflow.servers[0])
/// let tool = try await server.tool(named: "get_current_time")
/// try await tool.call(arguments: ["timezone": "UTC"])
/// await server.shutdown()
/// ```
public actor MCPServerConnection {
    public nonisolated let name: String
    /// The command line or URL, for messages.
    public nonisolated let target: String
    /// The tools the server listed when the session started.
    public private(set) var listedTools: [MCP.Tool] = []
    private let client: Client
    private var process: Process?
    private var pipes: [Pipe] = []
    private var closed = false
    private var exitStatus: Int32?
    /// The end of the child's stderr, for error messages.
    nonisolated let stderrTail = OutputTail()

    /// A safety net for a connection dropped without ``shutdown()``: the child is not left running.
    deinit {
        if let process, process.isRunning { process.terminate() }
    }

    private init(name: String, target: String, client: Client) {
        self.name = name
        self.target = target
        self.client = client
    }

    /// Starts `server`, initialises the session and lists its tools; gives up after
    /// `startupTimeout` seconds (the child is then terminated).
    public static func start(_ server: MCPServer, environment: [String: String] = ProcessInfo.processInfo.environment,
                             startupTimeout: Double = 30) async throws(ToolError) -> MCPServerConnection {
        let client = Client(name: "arbor", version: "1.0")
        let connection: MCPServerConnection
        let transport: any Transport
        switch server.transport {
        case .stdio(let command, let variables):
            let target = command.joined(separator: " ")
            var childEnvironment = ProcessInfo.processInfo.environment
            for variable in variables {
                childEnvironment[variable.name] = try expandEnvironment(variable.value, environment: environment) { missing throws(ToolError) in
                    throw ToolError.mcpServerFailed(server: server.name, target: target,
                                                    message: "its environment entry \(variable.name) uses ${\(missing)}, which is not set; export it before the run")
                }
            }
            guard let program = command.first, let executable = CommandTool.resolve(program) else {
                throw ToolError.mcpServerFailed(server: server.name, target: target, message: "'\(command.first ?? "")' was not found on PATH")
            }
            let process = Process()
            process.executableURL = executable
            process.arguments = Array(command.dropFirst())
            process.environment = childEnvironment
            let toChild = Pipe(), fromChild = Pipe(), errors = Pipe()
            process.standardInput = toChild
            process.standardOutput = fromChild
            process.standardError = errors
            connection = MCPServerConnection(name: server.name, target: target, client: client)
            // A child that dies fails the pending requests at once instead of at their timeout.
            process.terminationHandler = { child in
                let status = child.terminationStatus
                Task { await connection.childExited(status: status) }
            }
            do {
                try process.run()
            } catch {
                throw ToolError.mcpServerFailed(server: server.name, target: target, message: "cannot start it: \(error)")
            }
            await connection.adopt(process, pipes: [toChild, fromChild, errors])
            connection.stderrTail.collect(from: errors.fileHandleForReading)
            transport = StdioTransport(input: .init(rawValue: fromChild.fileHandleForReading.fileDescriptor),
                                       output: .init(rawValue: toChild.fileHandleForWriting.fileDescriptor))
        case .http(let urlText, let headers):
            guard let url = URL(string: urlText), url.scheme == "http" || url.scheme == "https" else {
                throw ToolError.mcpServerFailed(server: server.name, target: urlText, message: "the url is not an http(s) URL")
            }
            var filled: [(String, String)] = []
            for header in headers {
                let value = try expandEnvironment(header.value, environment: environment) { missing throws(ToolError) in
                    throw ToolError.mcpServerFailed(server: server.name, target: urlText,
                                                    message: "its header \(header.name) uses ${\(missing)}, which is not set; export it before the run")
                }
                filled.append((header.name, value))
            }
            let fixedHeaders = filled
            connection = MCPServerConnection(name: server.name, target: urlText, client: client)
            transport = HTTPClientTransport(endpoint: url, streaming: false, requestModifier: { request in
                var request = request
                for (name, value) in fixedHeaders { request.setValue(value, forHTTPHeaderField: name) }
                return request
            })
        }
        do {
            let tools = try await withDeadline(
                seconds: startupTimeout,
                onTimeout: { ToolError.mcpServerFailed(server: server.name, target: connection.target,
                                                       message: "it did not initialise within \(formatSeconds(startupTimeout)) s") },
                operation: {
                    _ = try await client.connect(transport: transport)
                    var tools: [MCP.Tool] = [], cursor: String? = nil
                    repeat {
                        let page = try await client.listTools(cursor: cursor)
                        tools += page.tools
                        cursor = page.nextCursor
                    } while cursor != nil && tools.count < 10_000
                    return tools
                })
            await connection.setTools(tools)
        } catch {
            let exit = await connection.exitDescription
            await connection.shutdown()
            if let exit { throw ToolError.mcpServerFailed(server: server.name, target: connection.target, message: exit + " before initialising") }
            if let error = error as? ToolError { throw error }
            throw ToolError.mcpServerFailed(server: server.name, target: connection.target, message: "initialisation failed: \(error)")
        }
        return connection
    }

    private func adopt(_ process: Process, pipes: [Pipe]) {
        self.process = process
        self.pipes = pipes
    }

    private func childExited(status: Int32) async {
        await stderrTail.waitForEnd()
        exitStatus = status
        if !closed { await client.disconnect() }
    }

    /// "it exited with status 7 (stderr ends with: …)" once the child has died unasked.
    private var exitDescription: String? {
        guard let status = exitStatus, !closed else { return nil }
        let errors = stderrTail.text
        return "it exited with status \(status)" + (errors.isEmpty ? "" : " (stderr ends with: \(errors))")
    }

    private func setTools(_ tools: [MCP.Tool]) { listedTools = tools }

    /// An ``ArborTool`` for the server's tool `remoteName`, called `localName` in the
    /// workflow; `parameters` `.fromServer` takes the server's input schema.
    public func tool(named remoteName: String, as localName: String? = nil, description: String? = nil,
                     parameters: ToolParameters = .fromServer, timeoutSeconds: Double = 60) throws(ToolError) -> MCPTool {
        let localName = localName ?? remoteName
        guard let listed = listedTools.first(where: { $0.name == remoteName }) else {
            throw ToolError.mcpToolMissing(tool: localName, server: name, remoteName: remoteName, available: listedTools.map(\.name))
        }
        let schema: JSONValue
        switch parameters {
        case .schema(let given): schema = given
        case .fromServer: schema = JSONValue(mcp: listed.inputSchema)
        }
        let text = description.flatMap { $0.isEmpty ? nil : $0 } ?? listed.description ?? ""
        return MCPTool(name: localName, remoteName: remoteName, description: text, parametersSchema: schema,
                       timeoutSeconds: timeoutSeconds, connection: self)
    }

    /// Calls `tools/call` and turns the content into JSON (see ``MCPTool``).
    func call(_ remoteName: String, as localName: String, arguments: JSONValue) async throws(ToolError) -> JSONValue {
        guard !closed else { throw ToolError.mcpCallFailed(tool: localName, server: name, target: target, message: "the server was shut down") }
        let result: CallTool.Result
        do {
            let arguments = arguments.objectValue.map { object in
                Dictionary(object.entries.map { ($0.key, $0.value.mcpValue) }, uniquingKeysWith: { $1 })
            }
            let context: RequestContext<CallTool.Result> = try await client.callTool(name: remoteName, arguments: arguments)
            result = try await context.value
        } catch {
            throw ToolError.mcpCallFailed(tool: localName, server: name, target: target, message: exitDescription ?? String(describing: error))
        }
        let texts = result.content.compactMap { content -> String? in
            if case .text(let text, _, _) = content { return text }
            return nil
        }
        if result.isError == true {
            throw ToolError.mcpToolReportedError(tool: localName, server: name, message: texts.joined(separator: "\n"))
        }
        if let structured = result.structuredContent { return JSONValue(mcp: structured) }
        if texts.count == 1, result.content.count == 1 {
            return (try? JSONValue(parsing: texts[0])) ?? ["text": .string(texts[0])]
        }
        return ["content": .array(result.content.map(Self.describe))]
    }

    private static func describe(_ content: MCP.Tool.Content) -> JSONValue {
        switch content {
        case .text(let text, _, _): return ["type": "text", "text": .string(text)]
        case .image(_, let mime, _, _): return ["type": "image", "mimeType": .string(mime)]
        case .audio(_, let mime, _, _): return ["type": "audio", "mimeType": .string(mime)]
        case .resource: return ["type": "resource"]
        case .resourceLink(let uri, let name, _, _, _, _): return ["type": "resource_link", "uri": .string(uri), "name": .string(name)]
        }
    }

    /// Ends the session and stops the child process (SIGTERM, then SIGKILL after a second).
    public func shutdown() async {
        guard !closed else { return }
        closed = true
        await client.disconnect()
        for pipe in pipes {
            try? pipe.fileHandleForWriting.close()
        }
        if let process, process.isRunning {
            process.terminate()
            for _ in 0..<100 where process.isRunning { try? await Task.sleep(nanoseconds: 10_000_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        for pipe in pipes { try? pipe.fileHandleForReading.close() }
        process = nil
    }

    /// Whether the child process (stdio servers) is still running.
    public var isRunning: Bool { process?.isRunning ?? false }
}

/// The last few KiB a child wrote to a pipe, read on a background thread.
// @unchecked Sendable: `data` is guarded by `lock`.
final class OutputTail: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var ended = false
    private let limit = 4096

    func collect(from handle: FileHandle) {
        DispatchQueue.global().async {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { self.lock.withLock { self.ended = true }; return }
                self.lock.withLock {
                    self.data.append(chunk)
                    if self.data.count > self.limit { self.data = self.data.suffix(self.limit) }
                }
            }
        }
    }

    /// Waits (at most a second) until the writer closed the pipe, so the text is complete.
    func waitForEnd() async {
        for _ in 0..<100 where !lock.withLock({ ended }) {
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
    }

    var text: String { tail(String(decoding: lock.withLock { data }, as: UTF8.self)) }
}

/// One tool of an MCP server, as an ``ArborTool``.
///
/// The result is the call's `structuredContent` when present, else its only text part
/// parsed as JSON (or `{"text": …}` when it is not JSON), else `{"content": [...]}`.
/// `isError: true` becomes ``ToolError/mcpToolReportedError(tool:server:message:)``.
public struct MCPTool: ArborTool {
    public let name: String
    public let remoteName: String
    public let description: String
    public let parametersSchema: JSONValue
    public let timeoutSeconds: Double
    let connection: MCPServerConnection
    public var serverName: String { connection.name }

    public func call(arguments: JSONValue) async throws -> JSONValue {
        try await connection.call(remoteName, as: name, arguments: arguments)
    }
}

extension JSONValue {
    /// The value an MCP message carries, as Arbor's JSON (object keys sorted: MCP values keep no order).
    public init(mcp value: MCP.Value) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .integer(Int64(i))
        case .double(let d): self = .number(d)
        case .string(let s): self = .string(s)
        case .data(let mime, let data): self = ["mimeType": .string(mime ?? ""), "base64": .string(data.base64EncodedString())]
        case .array(let items): self = .array(items.map(JSONValue.init(mcp:)))
        case .object(let object): self = .object(JSONObject(object.keys.sorted().map { ($0, JSONValue(mcp: object[$0]!)) }))
        }
    }

    /// The value as an MCP message carries it.
    public var mcpValue: MCP.Value {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .integer(let i): return .int(Int(i))
        case .number(let d): return .double(d)
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(\.mcpValue))
        case .object(let object): return .object(Dictionary(object.entries.map { ($0.key, $0.value.mcpValue) }, uniquingKeysWith: { $1 }))
        }
    }
}
