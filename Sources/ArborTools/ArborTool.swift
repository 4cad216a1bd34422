import ArborSchema

/// Something the model can call from inside its reasoning tree.
///
/// A tool receives arguments that ``ToolBox`` has already validated against
/// ``parametersSchema`` and returns a JSON result. It throws a ``ToolError`` (or any error,
/// which ``ToolBox`` records as text) when it fails; ``ToolBox`` turns every failure into a
/// recorded ``ToolOutcome`` so a run never stops because a tool did.
///
/// ```swift
/// let calculator = BuiltinToolImplementation(.calculator)
/// try await calculator.call(arguments: ["expression": "0.1 + 0.2"])
/// // {"result": 0.3, "exact": true, "fraction": "3/10", "decimal": "0.3"}
/// ```
public protocol ArborTool: Sendable {
    /// The name the model calls the tool by.
    var name: String { get }
    /// What the model is told the tool does.
    var description: String { get }
    /// The JSON Schema of the arguments (an object schema).
    var parametersSchema: JSONValue { get }
    /// The longest a call may take before ``ToolBox`` records a timeout.
    var timeoutSeconds: Double { get }
    /// Carries out one call with arguments already valid against ``parametersSchema``.
    func call(arguments: JSONValue) async throws -> JSONValue
}
