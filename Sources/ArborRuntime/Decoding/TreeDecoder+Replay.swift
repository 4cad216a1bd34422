import ArborGrammar
import ArborModel
import ArborSchema
import ArborTools

extension TreeDecoder {
    /// Replays a recorded run's tokens: the grammar, the tracker, the KV cache, the pruning
    /// and the sampler's random state end where the recorded run was. Stops before a later
    /// round's prompt and returns how many tokens it replayed.
    ///
    /// Tokens go to the backend in batches between prune points. The round's end and the
    /// token limit are decided token by token wherever they could fall, exactly where the
    /// live loop decided them.
    @discardableResult
    mutating func replay(_ progress: RecordedProgress, from offset: Int = 0) throws -> Int {
        let mode = FeedMode(batches: true, records: !progress.isRecorded)
        let recordedOutcomes = progress.toolCalls
        let log = progress.tokens
        var start = offset
        while start < log.count && log[start].kind != .prompt {
            let kind = log[start].kind
            var end = start + 1
            while end < log.count && log[end].kind == kind { end += 1 }
            let ids = log[start..<end].map(\.id)
            // a prose `=` that wrote nothing: no calculation, or one that failed
            if kind != .toolResult, steps?.syntax == .prose, grammar.pendingHole != nil { try resolveProseHole(recordedOutcomes) }
            switch kind {
            case .toolResult where steps?.syntax == .prose:
                try replayProseResult(ids, recordedOutcomes)
                try append(ids, kind: kind, mode: mode)
            case .toolResult:
                guard nextToolCallIndex < recordedOutcomes.count else {
                    throw RuntimeError.replayMismatch(seq: nextSeq, reason: "a tool result with no recorded tool call")
                }
                let bytes = ids.flatMap { tokenizer.tokenBytes($0) }
                guard grammar.fillHole(with: bytes) else {
                    throw RuntimeError.replayMismatch(seq: nextSeq, reason: "the grammar refuses the recorded tool result here")
                }
                toolCalls.append(recordedOutcomes[nextToolCallIndex])
                metrics.toolCalls += 1
                metrics.toolResultTokens += ids.count
                try append(ids, kind: kind, mode: mode)
            default:
                // The sampler draws one number per sampled token; draw them again.
                if kind == .generated && settings.sampling.temperature > 0 && settings.sampling.topK != 1 {
                    for _ in ids { _ = sampler.rng.next() }
                }
                if roundEnding.mayEnd(kept: keptTreeTokens, within: ids.count) || limit.rule.isInWindow(written: written + ids.count) {
                    for id in ids {
                        if roundEnding.shouldEnd(kept: keptTreeTokens, atTopLevelBoundary: tracker.isAtTopLevelBoundary,
                                                 closedAtTokenLimit: limit.isClosingTree) {
                            try switchToSummary(mode)
                        }
                        decideLimitClosing()
                        guard grammar.accept(id) else {
                            throw RuntimeError.replayMismatch(seq: nextSeq, reason: "the grammar refuses recorded token \(id)")
                        }
                        count(1, kind)
                        try append([id], kind: kind, mode: mode)
                    }
                } else {
                    for (index, id) in ids.enumerated() where !grammar.accept(id) {
                        throw RuntimeError.replayMismatch(seq: nextSeq + index, reason: "the grammar refuses recorded token \(id)")
                    }
                    count(ids.count, kind)
                    try append(ids, kind: kind, mode: mode)
                }
            }
            start = end
        }
        try flush(mode)
        onProgress?(RunProgress(metrics: metrics, liveKVSlots: memory.liveCount))
        return start - offset
    }

    /// Counts replayed tokens as generated or forced.
    private mutating func count(_ tokens: Int, _ kind: TokenKind) {
        if kind == .generated { metrics.generatedTokens += tokens } else { metrics.forcedTokens += tokens }
    }

    /// The round's document parsed and its answer checked against `outputSchema`.
    func answer(outputSchema: SchemaDocument) throws -> (output: JSONValue, document: JSONValue) {
        if steps != nil { return try stepsAnswer(outputSchema: outputSchema) }
        let text = String(decoding: tracker.document, as: UTF8.self)
        let document: JSONValue
        do { document = try JSONValue(parsing: tracker.document) } catch { throw RuntimeError.invalidJSON(error, text: text) }
        guard let output = document.objectValue?["answer"] else {
            throw RuntimeError.schemaViolation(["the tree has no \"answer\""], text: text)
        }
        let violations = outputSchema.validate(output)
        if !violations.isEmpty { throw RuntimeError.schemaViolation(violations.map { "\($0)" }, text: text) }
        return (output, document)
    }

    /// This round as a whole run's report.
    public func report(outputSchema: SchemaDocument) throws -> RunReport {
        let answer = try answer(outputSchema: outputSchema)
        return RunReport(output: answer.output, document: answer.document, tasks: tasks, toolCalls: toolCalls, metrics: metrics)
    }
}
