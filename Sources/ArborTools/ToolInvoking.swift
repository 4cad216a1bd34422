import ArborSchema

/// What carries out the model's tool calls during a run: the live ``ToolBox``, or a test
/// harness that replays recorded results.
///
/// The runtime asks for the parameter schemas once (they shape the decoding grammar) and then
/// calls ``invoke(_:arguments:)`` each time the model writes `"tool_result":`. An invoker
/// never throws: a failure is a ``ToolOutcome`` the model sees as `{"error": …}`.
public protocol ToolInvoking: Sendable {
    /// Every tool's name and JSON-Schema parameters, in declaration order.
    func parameterSchemas() async -> [(name: String, schema: JSONValue)]
    /// Calls `name` with `arguments` (not yet validated) and returns what happened.
    func invoke(_ name: String, arguments: JSONValue) async -> ToolOutcome
}

extension ToolBox: ToolInvoking {
    public func parameterSchemas() async -> [(name: String, schema: JSONValue)] {
        tools.map { ($0.name, $0.parametersSchema) }
    }

    public func invoke(_ name: String, arguments: JSONValue) async -> ToolOutcome {
        await call(name, arguments: arguments)
    }
}
