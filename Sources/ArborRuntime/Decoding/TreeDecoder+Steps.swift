import ArborSchema
import ArborTools

/// The parts of the loop that a tree typed in the `steps` or `prose` syntax adds
/// (``StepsReader``): its answer line as the model's own end, its calls at `=`, its answer.
extension TreeDecoder {
    /// The end rule, a processor of the raw logits before the mask: when the model's own
    /// first choice is to end but the grammar wants its answer line first, writes the
    /// grammar's shortest way to `Answer:` (`\nAnswer:` after a line) in one step, and the
    /// model writes the answer. This is the model's own finish, not the token limit's; nil
    /// when no such text fits (a call must reach its tool first), or outside steps and prose.
    mutating func answerLineStart() throws -> [Int32]? {
        guard let steps, !steps.isInAnswer, grammar.endsBeforeGrammarAllows(logits: backend.logits),
              var completion = grammar.shortestCompletion() else { return nil }
        if let end = StepsReader.bytesToAnswer(in: completion) { completion.removeSubrange(end...) }
        guard !completion.isEmpty, let ids = grammar.acceptText(completion) else { return nil }
        metrics.forcedTokens += ids.count
        try append(ids, kind: .forced)
        return ids
    }

    /// The call a pending hole asks for, its arguments as JSON (a string when the tree's
    /// parameters are not JSON); nil for a prose `=` that is no calculation.
    func pendingToolCall() throws -> (name: String, arguments: JSONValue)? {
        if let steps { return try steps.pendingCall(callCount: toolCalls.count) }
        guard let call = tracker.pendingToolCall else {
            throw RuntimeError.toolCallUnreadable(text: String(decoding: tracker.document.suffix(200), as: UTF8.self))
        }
        return (call.name, (try? JSONValue(parsing: call.parameters)) ?? .string(String(decoding: call.parameters, as: UTF8.self)))
    }

    /// Steps over a prose `=` that is no calculation: nothing is written after it.
    mutating func skipHole() throws {
        guard grammar.skipHole() else { throw RuntimeError.toolResultRejected(tool: steps?.spec.inlineExpression?.tool ?? "calculator") }
    }

    /// A calculation's result after its `=`, as the model would write it (``StepsReader/proseResultText(of:after:)``).
    mutating func insertProseResult(_ outcome: ToolOutcome) throws {
        steps?.callMade()
        guard grammar.skipHole() else { throw RuntimeError.toolResultRejected(tool: outcome.tool) }
        let inserted = StepsReader.proseResultText(of: outcome, after: steps?.writtenText ?? "")
        guard !inserted.isEmpty else { return }
        let ids = tokenizer.encode(inserted, parseSpecial: false)
        metrics.toolResultTokens += ids.count
        try append(ids, kind: .toolResult)
    }

    /// A replayed calculation's result: the recorded outcome is taken, the text is replayed as recorded.
    mutating func replayProseResult(_ ids: [Int32], _ recordedOutcomes: [ToolOutcome]) throws {
        guard grammar.pendingHole != nil, toolCalls.count < recordedOutcomes.count else {
            throw RuntimeError.replayMismatch(seq: nextSeq, reason: "the grammar refuses the recorded tool result here")
        }
        steps?.callMade()
        toolCalls.append(recordedOutcomes[toolCalls.count])
        _ = grammar.skipHole()
        metrics.toolCalls += 1
        metrics.toolResultTokens += ids.count
    }

    /// A replayed prose `=` after which nothing was written: the recorded outcome is taken
    /// when the text made it a calculation (a failed one).
    mutating func resolveProseHole(_ recordedOutcomes: [ToolOutcome]) throws {
        if try pendingToolCall() != nil {
            guard toolCalls.count < recordedOutcomes.count else {
                throw RuntimeError.replayMismatch(seq: nextSeq, reason: "the recorded run has no outcome for the calculation before this =")
            }
            steps?.callMade()
            toolCalls.append(recordedOutcomes[toolCalls.count])
            metrics.toolCalls += 1
        }
        _ = grammar.skipHole()
    }

    /// The text read as the tree, its answer checked against `outputSchema`.
    func stepsAnswer(outputSchema: SchemaDocument) throws -> (output: JSONValue, document: JSONValue) {
        let written = String(decoding: document, as: UTF8.self)
        guard let read = steps?.document(toolCalls: toolCalls), let output = read.answer else {
            throw RuntimeError.schemaViolation(["the steps have no readable \"Answer:\""], text: written)
        }
        let violations = outputSchema.validate(output)
        if !violations.isEmpty { throw RuntimeError.schemaViolation(violations.map { "\($0)" }, text: written) }
        return (output, read.document)
    }
}
