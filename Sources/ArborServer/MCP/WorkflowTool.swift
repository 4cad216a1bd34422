import ArborSchema
import Foundation
import ArborSpec
import ArborTools
import MCP

/// A workflow as an MCP tool: its name, description, the JSON Schema of its inputs as the
/// tool's `inputSchema` and the schema of its answer as the `outputSchema`.
///
/// MCP wants both schemas to describe objects. Inputs always are one; an answer that is not
/// an object (a workflow whose output is a list or a string) is wrapped as `{"result": …}`,
/// in the schema and in every result alike.
///
/// ```swift
/// let tool = WorkflowTool(path: "Workflows/math-solver.yaml", workflow: workflow, specText: yaml)
/// tool.mcpTool.name                                   // "math-solver"
/// tool.structuredContent(for: ["answer": 200, …])     // the answer itself
/// ```
public struct WorkflowTool: Sendable {
    /// The workflow file, as given or found in a folder.
    public let path: String
    public let workflow: Workflow
    /// The file's text as it was loaded; each run records it, as `arbor run` records the file.
    public let specText: String
    /// The tool's name: the workflow's name (letters, digits, `-` and `_`, which MCP allows).
    public var name: String { workflow.name }
    /// Whether the answer is wrapped as `{"result": …}` (its schema is not an object's).
    public let wrapsAnswer: Bool

    public init(path: String, workflow: Workflow, specText: String) {
        self.path = path
        self.workflow = workflow
        self.specText = specText
        wrapsAnswer = !Self.describesObject(workflow.outputSchema)
    }

    /// The tool as `tools/list` shows it.
    public var mcpTool: MCP.Tool {
        MCP.Tool(name: name, title: workflow.name, description: description, inputSchema: inputSchema.mcpValue,
                 annotations: .init(readOnlyHint: false, openWorldHint: !workflow.tools.isEmpty),
                 outputSchema: outputSchema.mcpValue)
    }

    /// The workflow's description, else a sentence saying what the tool is.
    public var description: String {
        let own = workflow.description?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return own.isEmpty ? "Runs the Arbor workflow `\(workflow.name)` and returns its answer." : own
    }

    /// The JSON Schema of the tool's arguments: the workflow's inputs (an object schema).
    public var inputSchema: JSONValue { workflow.inputsSchema }

    /// The JSON Schema of the tool's structured result.
    public var outputSchema: JSONValue {
        guard wrapsAnswer else { return workflow.outputSchema }
        var schema = workflow.outputSchema.objectValue ?? [:]
        // `$defs` stay at the root, where the answer's `$ref`s point (`#/$defs/…`).
        let definitions = schema["$defs"]
        schema["$defs"] = nil
        var wrapper: JSONObject = ["type": "object", "properties": ["result": .object(schema)], "required": ["result"],
                                   "additionalProperties": false]
        if let definitions { wrapper["$defs"] = definitions }
        return .object(wrapper)
    }

    /// The structured result for a run's answer.
    public func structuredContent(for answer: JSONValue) -> JSONValue {
        wrapsAnswer ? ["result": answer] : answer
    }

    static func describesObject(_ schema: JSONValue) -> Bool {
        schema["type"] == "object"
    }
}
