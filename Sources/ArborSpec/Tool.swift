import ArborSchema

/// A tool the model may call from inside its reasoning tree.
public struct Tool: Codable, Sendable, Equatable {
    public var name: String
    public var description: String
    public var parameters: ToolParameters
    public var implementation: ToolImplementation

    public init(name: String, description: String, parameters: ToolParameters, implementation: ToolImplementation) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.implementation = implementation
    }

    /// The names of the parameters when the schema is known, for template checks.
    public var parameterNames: [String]? {
        guard case .schema(let schema) = parameters else { return nil }
        return schema["properties"]?.objectValue?.keys
    }
}

/// Where a tool's parameter schema comes from.
public enum ToolParameters: Codable, Sendable, Equatable {
    /// A JSON Schema, compiled from shorthand or given in full.
    case schema(JSONValue)
    /// Fetched from the MCP server's `tools/list` when the run starts (MCP tools that omit
    /// `parameters`); the grammar is built after that.
    case fromServer
}

/// How a tool is carried out; exactly one per tool.
public enum ToolImplementation: Codable, Sendable, Equatable {
    case mcp(MCPToolBinding)
    case http(HTTPRequestTemplate)
    case command(CommandTemplate)
    case builtin(BuiltinTool)
    /// `search_documents` or `read_document` over a folder (`builtin:` with `root:`).
    case documents(DocumentToolBinding)
}

/// A tool served by an MCP server declared under `servers:`.
public struct MCPToolBinding: Codable, Sendable, Equatable {
    /// The name of the entry in `servers:`.
    public var server: String
    /// The tool's name on the server (defaults to the workflow's tool name).
    public var tool: String

    public init(server: String, tool: String) {
        self.server = server
        self.tool = tool
    }
}

/// An HTTP request built from the tool's arguments.
///
/// `url` and string values in `body` may contain `{{parameter}}` (URL-encoded in the URL; a
/// body string that is exactly `{{parameter}}` becomes the argument's JSON value). Header
/// values may read environment variables as `${NAME}`. Requests go only to `allowedHosts`.
public struct HTTPRequestTemplate: Codable, Sendable, Equatable {
    public enum Method: String, Codable, Sendable, CaseIterable {
        case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE"
    }

    public var method: Method
    public var url: String
    public var headers: [HTTPHeader]
    public var body: JSONValue?
    public var allowedHosts: [String]
    public var timeoutSeconds: Double

    enum CodingKeys: String, CodingKey {
        case method, url, headers, body
        case allowedHosts = "allowed_hosts"
        case timeoutSeconds = "timeout_seconds"
    }

    public init(method: Method = .get, url: String, headers: [HTTPHeader] = [], body: JSONValue? = nil,
                allowedHosts: [String], timeoutSeconds: Double = 30) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.allowedHosts = allowedHosts
        self.timeoutSeconds = timeoutSeconds
    }
}

/// One header of an HTTP tool or MCP server; `value` may contain `${ENV_VAR}`.
public struct HTTPHeader: Codable, Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A program run without a shell: `argv[0]` is the executable, later elements may contain
/// `{{parameter}}`, each substituted as one argument. Its standard output is the result.
///
/// The program starts with a minimal environment (`PATH`, `HOME`, locale and a few more; see
/// the README) plus `environment`, whose values may read `${VAR}` from Arbor's environment.
public struct CommandTemplate: Codable, Sendable, Equatable {
    public var argv: [String]
    public var timeoutSeconds: Double
    public var environment: [HTTPHeader]

    enum CodingKeys: String, CodingKey {
        case argv
        case timeoutSeconds = "timeout_seconds"
        case environment = "env"
    }

    public init(argv: [String], timeoutSeconds: Double = 30, environment: [HTTPHeader] = []) {
        self.argv = argv
        self.timeoutSeconds = timeoutSeconds
        self.environment = environment
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        argv = try container.decode([String].self, forKey: .argv)
        timeoutSeconds = try container.decode(Double.self, forKey: .timeoutSeconds)
        environment = try container.decodeIfPresent([HTTPHeader].self, forKey: .environment) ?? []
    }
}

/// An MCP server the workflow's tools may use.
public struct MCPServer: Codable, Sendable, Equatable {
    public enum Transport: Codable, Sendable, Equatable {
        /// A local process speaking MCP over stdin/stdout; `environment` values may use `${VAR}`.
        case stdio(command: [String], environment: [HTTPHeader])
        /// A streamable-HTTP endpoint.
        case http(url: String, headers: [HTTPHeader])
    }

    public var name: String
    public var transport: Transport

    public init(name: String, transport: Transport) {
        self.name = name
        self.transport = transport
    }
}
