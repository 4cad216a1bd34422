import ArborSchema

/// What one tool call produced: the result or the error, and how long it took.
///
/// The runtime records every outcome and shows the model ``modelJSON``: the result itself,
/// or `{"error": "…"}` for a failure, so the run goes on.
public struct ToolOutcome: Sendable, Equatable {
    public enum Result: Sendable, Equatable {
        case success(JSONValue)
        case failure(ToolError)
    }

    public var tool: String
    public var arguments: JSONValue
    public var result: Result
    /// Wall-clock time of the call, validation included.
    public var duration: Duration

    public init(tool: String, arguments: JSONValue, result: Result, duration: Duration) {
        self.tool = tool
        self.arguments = arguments
        self.result = result
        self.duration = duration
    }

    public var isSuccess: Bool { if case .success = result { return true } else { return false } }
    public var value: JSONValue? { if case .success(let v) = result { return v } else { return nil } }
    public var error: ToolError? { if case .failure(let e) = result { return e } else { return nil } }

    /// The JSON the model sees in `tool_result`.
    public var modelJSON: JSONValue {
        switch result {
        case .success(let value): return value
        case .failure(let error): return ["error": .string(error.description)]
        }
    }
}
