import ArborSchema
import Foundation

/// The tool traffic of one recorded test run, stored as JSON beside the workflow so that
/// later runs replay it without network or servers.
///
/// ```json
/// {
///   "arbor_cassette": 1,
///   "workflow": "research-agent",
///   "case": "boiling-point",
///   "tools": [{"name": "search", "parameters": {"type": "object", …}}],
///   "output": {"answer": "…"},
///   "interactions": [
///     {"tool": "search", "arguments": {"query": "everest boiling point"}, "result": {…}},
///     {"tool": "fetch", "arguments": {"url": "…"}, "error": "Tool 'fetch': …"}
///   ]
/// }
/// ```
/// `tools` keeps every tool's parameter schema as the live tools reported it, so a tool
/// whose schema comes from an MCP server's `tools/list` replays without the server.
/// `output` is the recorded answer that `{snapshot: true}` assertions compare with.
public struct Cassette: Sendable, Equatable {
    /// One recorded call.
    public struct Interaction: Sendable, Equatable {
        public var tool: String
        public var arguments: JSONValue
        public var response: ToolFixture.Response

        public init(tool: String, arguments: JSONValue, response: ToolFixture.Response) {
            self.tool = tool
            self.arguments = arguments
            self.response = response
        }
    }

    public static let formatVersion: Int64 = 1

    public var workflow: String
    public var testCase: String
    /// Each tool's parameter schema, in declaration order.
    public var tools: [(name: String, parameters: JSONValue)]
    public var interactions: [Interaction]
    /// The answer of the recorded run.
    public var output: JSONValue?

    public init(workflow: String, testCase: String, tools: [(name: String, parameters: JSONValue)] = [], interactions: [Interaction] = [],
                output: JSONValue? = nil) {
        self.workflow = workflow
        self.testCase = testCase
        self.tools = tools
        self.interactions = interactions
        self.output = output
    }

    public static func == (lhs: Cassette, rhs: Cassette) -> Bool {
        lhs.workflow == rhs.workflow && lhs.testCase == rhs.testCase && lhs.interactions == rhs.interactions && lhs.output == rhs.output
            && lhs.tools.map(\.name) == rhs.tools.map(\.name) && lhs.tools.map(\.parameters) == rhs.tools.map(\.parameters)
    }

    /// The parameter schema recorded for `tool`.
    public func parameters(of tool: String) -> JSONValue? {
        tools.first { $0.name == tool }?.parameters
    }

    // MARK: JSON

    public var json: JSONValue {
        let tools: [JSONValue] = tools.map { ["name": .string($0.name), "parameters": $0.parameters] }
        let interactions: [JSONValue] = interactions.map { interaction in
            var object: JSONObject = ["tool": .string(interaction.tool), "arguments": interaction.arguments]
            switch interaction.response {
            case .result(let value): object["result"] = value
            case .error(let message): object["error"] = .string(message)
            }
            return .object(object)
        }
        var object: JSONObject = ["arbor_cassette": .integer(Self.formatVersion), "workflow": .string(workflow), "case": .string(testCase),
                                  "tools": .array(tools)]
        if let output { object["output"] = output }
        object["interactions"] = .array(interactions)
        return .object(object)
    }

    /// Reads the JSON form; `path` names the file in errors.
    public init(json: JSONValue, path: String) throws(TestingError) {
        func fail(_ pointer: JSONPointer, _ message: String) -> TestingError {
            .invalidCassette(path: path, pointer: pointer, message: message)
        }
        guard let object = json.objectValue else { throw fail(.root, "the file must hold a JSON object") }
        guard object["arbor_cassette"]?.integerValue == Self.formatVersion else {
            throw fail(JSONPointer(tokens: ["arbor_cassette"]), "expected format version \(Self.formatVersion)")
        }
        workflow = object["workflow"]?.stringValue ?? ""
        output = object["output"]
        testCase = object["case"]?.stringValue ?? ""
        tools = []
        for (index, entry) in (object["tools"]?.arrayValue ?? []).enumerated() {
            guard let name = entry["name"]?.stringValue, let parameters = entry["parameters"], parameters.objectValue != nil else {
                throw fail(JSONPointer(tokens: ["tools", String(index)]), "each tool needs a `name` and an object `parameters`")
            }
            tools.append((name, parameters))
        }
        guard let entries = object["interactions"]?.arrayValue else {
            throw fail(JSONPointer(tokens: ["interactions"]), "`interactions` must be a list")
        }
        interactions = []
        for (index, entry) in entries.enumerated() {
            let here = JSONPointer(tokens: ["interactions", String(index)])
            guard let tool = entry["tool"]?.stringValue, let arguments = entry["arguments"] else {
                throw fail(here, "each interaction needs `tool` and `arguments`")
            }
            if let result = entry["result"] {
                interactions.append(Interaction(tool: tool, arguments: arguments, response: .result(result)))
            } else if let message = entry["error"]?.stringValue {
                interactions.append(Interaction(tool: tool, arguments: arguments, response: .error(message)))
            } else {
                throw fail(here, "each interaction needs a `result` or an `error` text")
            }
        }
    }

    /// The cassette at `path`, or nil when there is no such file.
    public static func load(path: String) throws(TestingError) -> Cassette? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadableCassette(path: path, reason: "it cannot be read")
        }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: data)
        } catch {
            throw .unreadableCassette(path: path, reason: "it is not JSON (\(error.description))")
        }
        return try Cassette(json: value, path: path)
    }

    /// Writes the cassette as indented JSON, creating its folder. A file already there is
    /// replaced only when it is a cassette: anything else is left alone and reported.
    public func write(to path: String) throws(TestingError) {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            let existing = isDirectory.boolValue ? nil : FileManager.default.contents(atPath: path).flatMap { try? JSONValue(parsing: $0) }
            guard existing?["arbor_cassette"] != nil else {
                throw .cassetteNotWritten(path: path, reason: "a file that is not an Arbor cassette is already there; move it, or give the case another `cassette:` path")
            }
        }
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data((json.prettyString + "\n").utf8).write(to: url, options: .atomic)
        } catch {
            throw .cassetteNotWritten(path: path, reason: error.localizedDescription)
        }
    }
}
