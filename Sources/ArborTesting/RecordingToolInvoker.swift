import ArborSchema
import ArborTools

/// Passes tool calls to live tools and keeps every call and its outcome, to be written as a
/// ``Cassette`` after the run (`arbor test --record`).
///
/// ```swift
/// let box = try await ToolBox(workflow: workflow)
/// let recorder = RecordingToolInvoker(wrapping: box)
/// _ = await recorder.invoke("calculator", arguments: ["expression": "6*7"])
/// try await recorder.cassette(workflow: "math-solver", testCase: "answer").write(to: path)
/// ```
public actor RecordingToolInvoker: ToolInvoking {
    private let live: any ToolInvoking
    private var recorded: [Cassette.Interaction] = []

    public init(wrapping live: any ToolInvoking) {
        self.live = live
    }

    public func parameterSchemas() async -> [(name: String, schema: JSONValue)] {
        await live.parameterSchemas()
    }

    public func invoke(_ name: String, arguments: JSONValue) async -> ToolOutcome {
        let outcome = await live.invoke(name, arguments: arguments)
        let response: ToolFixture.Response
        switch outcome.result {
        case .success(let value): response = .result(value)
        case .failure(let error): response = .error(Self.recordedMessage(error))
        }
        recorded.append(Cassette.Interaction(tool: name, arguments: arguments, response: response))
        return outcome
    }

    /// The calls so far, in order.
    public var interactions: [Cassette.Interaction] { recorded }

    /// Everything recorded, with the live tools' parameter schemas.
    public func cassette(workflow: String, testCase: String, output: JSONValue? = nil) async -> Cassette {
        let tools = await live.parameterSchemas().map { (name: $0.name, parameters: $0.schema) }
        return Cassette(workflow: workflow, testCase: testCase, tools: tools, interactions: recorded, output: output)
    }

    /// The whole description is recorded; a replay shows it verbatim (``ToolError/recorded(tool:message:)``).
    static func recordedMessage(_ error: ToolError) -> String {
        error.description
    }
}
