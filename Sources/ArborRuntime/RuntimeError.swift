import ArborSchema

/// Errors of constrained generation; each says what went wrong and what to do.
public enum RuntimeError: Error, Sendable, CustomStringConvertible {
    /// The grammar allowed no token at generation step `step`.
    case noTokenAllowed(step: Int)
    /// Forced text could not be fed because the matcher rejected its tokenization.
    case forcedTextRejected(step: Int, text: String)
    /// Generation stopped at `maxTokens` before the grammar was complete.
    case incomplete(maxTokens: Int, text: String)
    /// The finished text is not JSON.
    case invalidJSON(JSONParseError, text: String)
    /// The finished value breaks the schema.
    case schemaViolation([String], text: String)
    /// The grammar reached a `"tool_result":` hole but the tool's name or parameters could not be read.
    case toolCallUnreadable(text: String)
    /// The grammar refused a tool's encoded result.
    case toolResultRejected(tool: String)
    /// ``WorkflowRunner/shouldStop`` asked the run to stop.
    case interrupted
    /// A recorded token log does not fit the workflow's grammar at token `seq`.
    case replayMismatch(seq: Int, reason: String)
    /// A resume's recorded KV rows cannot stand for token `seq`'s, although the record offered them.
    case kvRowsUnusable(seq: Int, reason: String)
    /// ``RunOptions/minimumTokens`` was set for a workflow without summary rounds (or with steps).
    case minimumTokensUnsupported(workflow: String, reasons: [String])

    public var description: String {
        switch self {
        case .noTokenAllowed(let step):
            return "The grammar allowed no token at step \(step); the grammar and the tokenizer's vocabulary disagree — check that the grammar was compiled over this tokenizer."
        case .forcedTextRejected(let step, let text):
            return "At step \(step) the grammar forced the text \(text.debugDescription) but rejected its tokenization; report this as a grammar bug."
        case .incomplete(let maxTokens, let text):
            return "Generation reached the limit of \(maxTokens) tokens before the output was complete, and it could not be closed in time (…\(text.suffix(80).debugDescription)); raise the token limit (limits.max_tokens or --max-tokens)."
        case .invalidJSON(let error, _):
            return "The generated text is not valid JSON: \(error); report this as a grammar bug."
        case .schemaViolation(let messages, _):
            return "The generated value breaks the schema: \(messages.joined(separator: "; ")); tighten the schema or report a grammar bug."
        case .toolCallUnreadable(let text):
            return "The tree reached \"tool_result\" but its tool name or parameters could not be read (…\(text.suffix(80).debugDescription)); report this as a runtime bug."
        case .toolResultRejected(let tool):
            return "The grammar refused the encoded result of tool '\(tool)'; report this as a runtime bug."
        case .interrupted:
            return "The run was interrupted."
        case .minimumTokensUnsupported(let workflow, let reasons):
            return "A minimum token count needs a workflow with summary rounds, but workflow '\(workflow)' cannot have them here: \(reasons.joined(separator: "; ")). Set limits.round_budget (and limits.max_rounds of 2 or more, no steps), or leave out the minimum."
        case .kvRowsUnusable(let seq, let reason):
            return "The recorded KV row of token \(seq) cannot be used: \(reason). The record's rows and its pruning disagree; fork the run at an earlier task to go on (a fork computes its context), and report it as a recorder bug."
        case .replayMismatch(let seq, let reason):
            return "The recorded run cannot be replayed at token \(seq): \(reason). The workflow or the model changed since it was recorded; start a new run, or fork it at an earlier task."
        }
    }
}

