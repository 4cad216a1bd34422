import ArborSchema
import ArborSpec
import ArborTools

/// Answers a test run's tool calls from the test's fixtures, then from its cassette, and
/// never touches a live tool unless it is given one to record through.
///
/// A call that neither a fixture nor the cassette answers gets a failed outcome (so the run
/// can finish) and is kept in ``unanswered``: the harness fails the case with the tool's
/// name and arguments. Identical calls take the cassette's matching interactions in order;
/// once those run out, the last one answers again.
///
/// ```swift
/// let replay = try ReplayingToolInvoker(workflow: workflow, fixtures: testCase.fixtures,
///                                       cassette: try Cassette.load(path: testCase.cassettePath),
///                                       cassettePath: testCase.cassettePath)
/// let outcome = await replay.invoke("calculator", arguments: ["expression": "2+2"])
/// await replay.unanswered   // [] when the cassette had the call
/// ```
public actor ReplayingToolInvoker: ToolInvoking {
    /// A call with no recorded answer.
    public struct Request: Sendable, Equatable, CustomStringConvertible {
        public var tool: String
        public var arguments: JSONValue

        public var description: String { "\(tool) \(arguments.compactString)" }
    }

    private let schemas: [(name: String, schema: JSONValue)]
    private let fixtures: [ToolFixture]
    private let interactions: [Cassette.Interaction]
    private let cassettePath: String
    private let passthrough: (any ToolInvoking)?
    private var used: Set<Int> = []
    /// Calls nothing answered, in the order made.
    public private(set) var unanswered: [Request] = []

    /// Builds the replay for one case. Parameter schemas come from the workflow; a tool that
    /// takes its schema from an MCP server needs it in the cassette (or from `passthrough`).
    /// `passthrough` (the recording live tools) answers whatever fixtures do not.
    public init(workflow: Workflow, fixtures: [ToolFixture], cassette: Cassette?, cassettePath: String,
                passthrough: (any ToolInvoking)? = nil) async throws(TestingError) {
        let live = await passthrough?.parameterSchemas() ?? []
        var schemas: [(name: String, schema: JSONValue)] = []
        for tool in workflow.tools {
            switch tool.parameters {
            case .schema(let schema):
                schemas.append((tool.name, schema))
            case .fromServer:
                guard let schema = live.first(where: { $0.name == tool.name })?.schema ?? cassette?.parameters(of: tool.name) else {
                    throw .missingServerSchema(tool: tool.name, cassette: cassettePath)
                }
                schemas.append((tool.name, schema))
            }
        }
        self.schemas = schemas
        self.fixtures = fixtures
        self.interactions = passthrough == nil ? cassette?.interactions ?? [] : []
        self.cassettePath = cassettePath
        self.passthrough = passthrough
    }

    public func parameterSchemas() async -> [(name: String, schema: JSONValue)] { schemas }

    public func invoke(_ name: String, arguments: JSONValue) async -> ToolOutcome {
        if let fixture = fixtures.first(where: { $0.tool == name && $0.arguments.matches(arguments) }) {
            return Self.outcome(name, arguments, fixture.response)
        }
        let matching = interactions.indices.filter { interactions[$0].tool == name && interactions[$0].arguments == arguments }
        if let index = matching.first(where: { !used.contains($0) }) ?? matching.last {
            used.insert(index)
            return Self.outcome(name, arguments, interactions[index].response)
        }
        if let passthrough {
            return await passthrough.invoke(name, arguments: arguments)
        }
        unanswered.append(Request(tool: name, arguments: arguments))
        return ToolOutcome(tool: name, arguments: arguments,
                           result: .failure(.builtinFailed(tool: name, message: "no fixture or recorded result for these arguments in test replay")),
                           duration: .zero)
    }

    /// A replayed response as an outcome. A recorded error comes back as its text, which the
    /// model then sees (as `{"error": …}`) the way the live failure read.
    static func outcome(_ tool: String, _ arguments: JSONValue, _ response: ToolFixture.Response) -> ToolOutcome {
        switch response {
        case .result(let value):
            return ToolOutcome(tool: tool, arguments: arguments, result: .success(value), duration: .zero)
        case .error(let message):
            return ToolOutcome(tool: tool, arguments: arguments, result: .failure(.recorded(tool: tool, message: message)), duration: .zero)
        }
    }
}
