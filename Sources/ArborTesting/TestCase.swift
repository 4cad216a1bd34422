import ArborSchema

/// One test of a workflow: the inputs, the tool results it may use, and what its run must
/// satisfy. Read from a workflow's `tests:` section or from a `*.test.yaml` file beside it by
/// ``TestSuiteLoader``.
///
/// ```yaml
/// tests:
///   - name: train-distance
///     inputs: {problem: "A train travels at 80 km/h for 2.5 hours. How far does it go?"}
///     tools:
///       calculator:
///         - arguments: {expression: "80 * 2.5"}
///           result: {result: 200, exact: true}
///     expect:
///       - {path: $.answer, equals: 200, tolerance: 0.5}
///       - {tool: calculator, at_most: 3}
/// ```
public struct TestCase: Sendable, Equatable {
    /// The case's name, unique within its workflow.
    public var name: String
    /// The workflow's `name:`.
    public var workflowName: String
    /// The workflow file the case runs.
    public var workflowPath: String
    /// Where the case is written (the workflow file or a `*.test.yaml`).
    public var location: SourceLocation
    /// The inputs as written; the workflow's defaults fill the rest at run time.
    public var inputs: JSONObject
    /// Tool results given in the test itself; they win over the cassette.
    public var fixtures: [ToolFixture]
    /// The cassette file: written by `--record`, read otherwise.
    public var cassettePath: String
    /// The assertions, in the order written; the output schema check comes on top of them.
    public var assertions: [Assertion]
    /// Why the case is not run now (`skip: REASON`); nil runs it.
    public var skipReason: String?
    /// `live: true`: calls the workflow's real tools instead of a cassette (fixtures still
    /// answer first), for workflows whose tools are local, such as the document built-ins.
    public var live: Bool

    public init(name: String, workflowName: String, workflowPath: String, location: SourceLocation, inputs: JSONObject = [:],
                fixtures: [ToolFixture] = [], cassettePath: String, assertions: [Assertion] = [], skipReason: String? = nil, live: Bool = false) {
        self.name = name
        self.workflowName = workflowName
        self.workflowPath = workflowPath
        self.location = location
        self.inputs = inputs
        self.fixtures = fixtures
        self.cassettePath = cassettePath
        self.assertions = assertions
        self.skipReason = skipReason
        self.live = live
    }

    /// `workflow/case`, the name `--filter` matches and reports print.
    public var id: String { "\(workflowName)/\(name)" }
}

/// A place in a YAML file, counted from 1 as libyaml counts.
public struct SourceLocation: Sendable, Equatable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `FILE:LINE:COLUMN`.
    public var description: String { "\(file):\(line):\(column)" }
}

/// A tool result written in the test: the tool, which arguments it answers, and the result
/// (or the error text the model sees as `{"error": …}`).
public struct ToolFixture: Sendable, Equatable {
    public enum Response: Sendable, Equatable {
        case result(JSONValue)
        case error(String)
    }

    public var tool: String
    /// Which calls it answers; ``ArgumentMatch/any`` answers every call of the tool.
    public var arguments: ArgumentMatch
    public var response: Response
    public var location: SourceLocation

    public init(tool: String, arguments: ArgumentMatch, response: Response, location: SourceLocation) {
        self.tool = tool
        self.arguments = arguments
        self.response = response
        self.location = location
    }
}
