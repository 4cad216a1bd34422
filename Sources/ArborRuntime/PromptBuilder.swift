import ArborModel
import ArborSchema
import ArborSpec

/// The chat messages that start a run: a system message that teaches the reasoning-tree
/// format, the tools and the output schema, and a user message with the workflow's
/// instructions rendered over the inputs.
///
/// The grammar enforces the format whatever the prompt says; the prompt is there so the
/// model writes good content inside it.
struct PromptBuilder {
    struct ToolInfo {
        var name: String
        var description: String
        var parameters: JSONValue
    }

    var workflow: Workflow
    var tools: [ToolInfo]

    /// `summary` is the previous round's summary in a later round. The system message is the
    /// same in every round, so a later round reuses the cached instructions.
    func messages(inputs: JSONObject, summary: String? = nil) -> [ChatMessage] {
        [.system(systemText), .user(userText(inputs: inputs, summary: summary))]
    }

    private var systemText: String {
        var lines = [
            "You solve tasks by writing a reasoning tree, as one JSON object:",
            #"{"reasoning": [TASK, ...], "answer": ANSWER}"#,
            #"TASK is {"thought": "...", "tooluse": {"tool_name": "...", "parameters": {...}, "tool_result": ...}, "subtasks": [TASK, ...], "conclusion": "..."}"#
                + #" where "tooluse" and "subtasks" are optional."#,
            "Keep each thought and conclusion short. Split hard tasks into subtasks.",
        ]
        if workflow.limits.roundBudget != nil {
            lines.append(#"A long job goes in rounds: when a round runs out of room it ends with "summary" instead of "answer": a bullet list ("* ...") of every key step and intermediate result so far, and the next round goes on from it."#)
        }
        if !workflow.steps.isEmpty {
            lines.append("The top-level tasks are, in order:")
            for (index, step) in workflow.steps.enumerated() { lines.append("\(index + 1). \(step.name): \(step.goal)") }
        }
        if tools.isEmpty {
            lines.append("There are no tools.")
        } else {
            lines.append(#"Tools (after "tool_result": the tool's answer is written for you):"#)
            for tool in tools {
                lines.append("- \(tool.name): \(tool.description) Parameters: \(tool.parameters.compactString)")
            }
        }
        lines.append("ANSWER follows this JSON Schema: \(workflow.outputSchema.compactString)")
        return lines.joined(separator: "\n")
    }

    func userText(inputs: JSONObject, summary: String?) -> String {
        var text = workflow.instructions.render(inputs)
        let mentioned = Set(workflow.instructions.variables.map(\.name))
        let unmentioned = inputs.filter { !mentioned.contains($0.key) }
        if !unmentioned.isEmpty {
            text += "\n\nInputs: " + JSONValue.object(JSONObject(unmentioned.map { ($0.key, $0.value) })).compactString
        }
        if let summary {
            text += "\n\n<history>\n\(summary)\n</history>\nGo on from this summary of the earlier rounds."
        }
        return text
    }
}
