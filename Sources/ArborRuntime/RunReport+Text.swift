import ArborModel
import ArborSchema
import ArborTools

extension RunReport {
    /// The report as one JSON object: answer, tree, tool calls and metrics (`arbor run --json`).
    public var json: JSONValue {
        [
            "output": output,
            "tree": document,
            "tool_calls": .array(toolCalls.map(\.json)),
            "metrics": metrics.json,
            "closed_at_token_limit": .bool(answerClosedAtTokenLimit),
            "rounds_closed_at_token_limit": .array(roundsClosedAtTokenLimit.map { .integer(Int64($0)) }),
        ]
    }

    /// The warning `arbor run` prints when the token limit closed a round, nil when none:
    /// such an answer (or summary) must not pass for a normal finish.
    public var tokenLimitWarning: String? {
        guard !roundsClosedAtTokenLimit.isEmpty else { return nil }
        if answerClosedAtTokenLimit {
            return "warning: the run reached its token limit and was closed early: the tree was closed the shortest way "
                + "and the answer written in the tokens held in reserve (or cut to its shortest valid form). "
                + "Raise limits.max_tokens or --max-tokens for a complete answer."
        }
        let rounds = roundsClosedAtTokenLimit.map(String.init).joined(separator: ", ")
        return "warning: round\(roundsClosedAtTokenLimit.count == 1 ? "" : "s") \(rounds) reached the token limit and "
            + "ended with a summary written in the tokens held in reserve. Raise limits.max_tokens or --max-tokens."
    }
}

extension ToolOutcome {
    /// The call as JSON: tool, arguments, result or error, milliseconds.
    public var json: JSONValue {
        var object: JSONObject = ["tool": .string(tool), "arguments": arguments]
        switch result {
        case .success(let value): object["result"] = value
        case .failure(let error): object["error"] = .string(error.description)
        }
        object["milliseconds"] = .number(duration.inSeconds * 1000)
        return .object(object)
    }
}

extension RunMetrics {
    public var json: JSONValue {
        [
            "prompt_tokens": .integer(Int64(promptTokens)),
            "generated_tokens": .integer(Int64(generatedTokens)),
            "forced_tokens": .integer(Int64(forcedTokens)),
            "tool_result_tokens": .integer(Int64(toolResultTokens)),
            "peak_kv_slots": .integer(Int64(peakKVSlots)),
            "pruned_tokens": .integer(Int64(prunedTokens)),
            "pruned_share": .number(prunedShare),
            "tool_calls": .integer(Int64(toolCalls)),
            "tool_seconds": .number(toolSeconds),
            "decode_seconds": .number(decodeSeconds),
            "mask_seconds": .number(maskSeconds),
            "prompt_seconds": .number(promptSeconds),
            "tokens_per_second": .number(tokensPerSecond),
        ]
    }

    /// One line for standard error at the end of a run.
    public var summaryLine: String {
        let rate = (tokensPerSecond * 10).rounded() / 10
        let share = (prunedShare * 1000).rounded() / 10
        return "\(treeTokens) tree tokens (\(generatedTokens) sampled, \(forcedTokens) forced, \(toolResultTokens) from tools) "
            + "at \(rate) tokens/s; \(toolCalls) tool calls; peak KV \(peakKVSlots) slots; \(prunedTokens) pruned (\(share) %)"
            + (closedAtTokenLimit ? "; closed at the token limit" : "")
    }
}

/// The reasoning tree as indented text (`arbor run --tree`), each task labelled with its
/// zero-based path (`0`, `0.1`) as `arbor fork --at` takes it.
public enum ReasoningTreeText {
    public static func render(_ document: JSONValue) -> String {
        var lines: [String] = []
        if case .array(let tasks)? = document.objectValue?["reasoning"] {
            for (index, task) in tasks.enumerated() { render(task, label: "\(index)", indent: "", into: &lines) }
        }
        if let summary = document.objectValue?["summary"] { lines.append("summary: \(text(summary))") }
        if let answer = document.objectValue?["answer"] { lines.append("answer: \(answer.compactString)") }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func render(_ task: JSONValue, label: String, indent: String, into lines: inout [String]) {
        guard let object = task.objectValue else { return }
        lines.append("\(indent)\(label) \(text(object["thought"]))")
        let inner = indent + "   "
        if let tooluse = object["tooluse"]?.objectValue {
            lines.append("\(inner)→ \(text(tooluse["tool_name"]))(\(tooluse["parameters"]?.compactString ?? "")) = \(tooluse["tool_result"]?.compactString ?? "")")
        }
        if case .array(let subtasks)? = object["subtasks"] {
            for (index, subtask) in subtasks.enumerated() { render(subtask, label: "\(label).\(index)", indent: inner, into: &lines) }
        }
        lines.append("\(inner)∴ \(text(object["conclusion"]))")
    }

    private static func text(_ value: JSONValue?) -> String {
        if case .string(let string)? = value { return string }
        return value?.compactString ?? ""
    }
}
