import ArborSchema
import ArborStore
import ArborTools
import Foundation
import MCP

/// Two tools beside the workflows, for a client that lost a long call (it cancelled, timed
/// out or disconnected): where a run stands, and its answer once it has one.
///
/// MCP 2025-11-25's task-augmented `tools/call` would let a client poll a call by task id;
/// the Swift SDK this server is built on (0.12.1) has no tasks, so these tools take the run
/// id instead, which every call's first progress notification and its result's `_meta`
/// (`arbor/run_id`) carry.
enum RunStatusTools: String, CaseIterable {
    case status = "arbor_run_status"
    case result = "arbor_get_result"

    static var all: [MCP.Tool] { allCases.map(\.mcpTool) }

    private static let runIDSchema: JSONValue = [
        "type": "object",
        "properties": ["run_id": ["type": "string", "description": "A run id (`r-…`) or a unique start of one."]],
        "required": ["run_id"],
        "additionalProperties": false,
    ]

    private static let statusSchema: JSONValue = [
        "type": "object",
        "properties": [
            "run_id": ["type": "string"],
            "workflow": ["type": "string"],
            "status": ["enum": ["running", "paused", "completed", "failed"]],
            "tokens": ["type": "integer"],
            "tool_calls": ["type": "integer"],
            "rounds": ["type": "integer"],
            "closed_at_token_limit": ["type": "boolean"],
            "error": ["type": "string"],
            "updated_at": ["type": "string"],
        ],
        "required": ["run_id", "workflow", "status", "tokens", "tool_calls", "rounds"],
    ]

    var mcpTool: MCP.Tool {
        switch self {
        case .status:
            return MCP.Tool(name: rawValue, description: "Where a recorded Arbor run stands: running, paused (resumable with `arbor resume`), completed or failed, with its progress.",
                            inputSchema: Self.runIDSchema.mcpValue, annotations: .init(readOnlyHint: true, openWorldHint: false),
                            outputSchema: Self.statusSchema.mcpValue)
        case .result:
            return MCP.Tool(name: rawValue, description: "The answer of a completed Arbor run, as the workflow's tool returned it; an error while the run has none yet.",
                            inputSchema: Self.runIDSchema.mcpValue, annotations: .init(readOnlyHint: true, openWorldHint: false))
        }
    }

    func call(arguments: JSONObject, store: RunStore, tools: [WorkflowTool]) -> CallTool.Result {
        guard let text = arguments["run_id"]?.stringValue, arguments.count == 1 else {
            return .failure("`\(rawValue)` takes one argument, `run_id`: a run id such as the `arbor/run_id` in a call's `_meta`.")
        }
        let run: Run
        do {
            let resolution = try store.resolveRunID(text)
            if let problem = resolution.problem(databasePath: store.path) { return .failure(problem) }
            guard case .found(let id) = resolution, let found = try store.run(id: id) else { return .failure("No run \(text).") }
            run = found
        } catch {
            return .failure("The run store \(store.path) could not be read: \(error)")
        }
        let meta = Metadata(additionalFields: ["arbor/run_id": .string(run.id)])
        switch self {
        case .status:
            var status: JSONObject = ["run_id": .string(run.id), "workflow": .string(run.workflow), "status": .string(run.status.rawValue),
                                      "tokens": .integer(Int64(run.tokenCount)), "tool_calls": .integer(Int64(run.toolCallCount)),
                                      "rounds": .integer(Int64(run.roundCount)), "closed_at_token_limit": .bool(run.closedAtTokenLimit),
                                      "updated_at": .string(ISO8601DateFormatter().string(from: run.updatedAt))]
            if let error = run.errorText { status["error"] = .string(error) }
            let value = JSONValue.object(status)
            return CallTool.Result(content: [.text(text: value.compactString, annotations: nil, _meta: nil)],
                                   structuredContent: Optional(value.mcpValue), isError: false, _meta: meta)
        case .result:
            guard run.status == .completed, let outputJSON = run.outputJSON, let answer = try? JSONValue(parsing: outputJSON) else {
                let next = run.status == .paused ? " `arbor resume \(run.id)` finishes it." : ""
                return .failure("The run \(run.id) is \(run.status.rawValue) and has no answer yet.\(next)", meta: meta)
            }
            let structured = tools.first { $0.workflow.name == run.workflow }?.structuredContent(for: answer) ?? answer
            return CallTool.Result(content: [.text(text: structured.compactString, annotations: nil, _meta: nil)],
                                   structuredContent: structured.objectValue != nil ? Optional(structured.mcpValue) : Optional<Value>.none,
                                   isError: run.closedAtTokenLimit, _meta: meta)
        }
    }
}
