import ArborGrammar
import ArborModel

/// How a round ends other than by the model's own last token: by its budget (a summary) or
/// at its token limit (``TokenLimitClosing``).
extension TreeDecoder {
    /// Moves the round onto the summary grammar (the document so far is valid under it too).
    mutating func switchToSummary(_ mode: FeedMode) throws {
        guard let summaryGrammar = roundEnding.summaryGrammar else { return }
        try flush(mode)
        // The same tree under the summary grammar: text as text, tool results into their holes.
        var summaryMatcher = GrammarMatcher(summaryGrammar)
        var start = 0, byte = 0
        while start < memory.tokens.count {
            var end = start + 1
            let isResult = memory.kinds[start] == .toolResult
            while end < memory.tokens.count && (memory.kinds[end] == .toolResult) == isResult { end += 1 }
            let bytes = Array(tracker.document[byte..<memory.byteEnds[end - 1]])
            let accepted = isResult ? summaryMatcher.fillHole(with: bytes) : summaryMatcher.acceptText(bytes)
            guard accepted else {
                throw RuntimeError.replayMismatch(seq: nextSeq, reason: "the summary grammar refuses the tree so far")
            }
            byte = memory.byteEnds[end - 1]
            start = end
        }
        grammar.switchGrammar(to: summaryMatcher)
        roundEnding.switchedToSummary()
    }

    /// Forces the start of the summary after the round switched to it, one token per step (the
    /// token limit may start closing in between, and then takes over).
    mutating func forceSummaryStart() throws {
        let text = #"],"summary":""#
        for id in tokenizer.encode(text, parseSpecial: false) {
            decideLimitClosing()
            if limit.isClosingTree { return }
            guard grammar.accept(id) else { throw RuntimeError.forcedTextRejected(step: written, text: text) }
            metrics.forcedTokens += 1
            try append([id], kind: .forced)
        }
    }

    /// Takes the token limit's decisions before the next token: start closing the tree, or
    /// finish the final value. Both stick; the live loop and the replay call this at the same
    /// token boundaries (every one within the window), so they decide alike.
    mutating func decideLimitClosing() {
        var limit = self.limit
        var grammar = self.grammar
        let call = limit.rule.mayEndToolCall(written: written) && grammar.isInsideToolCall
            ? grammar.shortestCompletionLengthThroughHoles.map { through in
                (bytesThroughCall: through, tokensToResult: { grammar.tokensToToolResult() }) }
            : nil
        limit.decide(written: written, isInFinalValue: isInFinalValue, neededTokens: { grammar.shortestCompletionTokens() }, call: call)
        self.limit = limit
        metrics.closedAtTokenLimit = limit.closed
    }

    /// Forces the first token of the grammar's shortest completion: up to the start of the
    /// final value (the answer line's `Answer:` in steps or prose) while closing, to the end
    /// while finishing, to the tool's result while ending a tool call. One token per step, so
    /// that a run resumed in the middle of it goes on with the same tokens. Nil, with nothing
    /// forced, when no completion avoids a hole (a call must reach its tool first).
    /// The text may begin inside a UTF-8 character the model left unfinished: its bytes go on
    /// from there.
    mutating func forceClosingToken() throws -> Int32? {
        let shortest = limit.finishingToolCall && grammar.isInsideToolCall ? grammar.shortestCompletionToHole() : grammar.shortestCompletion()
        guard var completion = shortest, !completion.isEmpty else { return nil }
        if limit.phase != .finishing, let end = bytesToFinalValue(in: completion) { completion.removeSubrange(end...) }
        guard let id = grammar.acceptFirstToken(of: completion) else {
            throw RuntimeError.forcedTextRejected(step: written, text: String(decoding: completion, as: UTF8.self))
        }
        limit.closingTokenForced()
        metrics.closedAtTokenLimit = limit.closed
        metrics.forcedTokens += 1
        try append([id], kind: .forced)
        return id
    }

    /// How many of `completion`'s bytes bring the document to the start of its final value.
    func bytesToFinalValue(in completion: [UInt8]) -> Int? {
        steps == nil ? tracker.bytesToFinalValue(in: completion) : StepsReader.bytesToAnswer(in: completion)
    }

    /// `token`, or the tokens of its bytes up to the top-level task boundary it would run
    /// past (`"},` becomes `"}`), so that a round past its budget ends there.
    func piecesUpToBoundary(_ token: Int32) -> [Int32] {
        let bytes = tokenizer.tokenBytes(token)
        guard let end = tracker.bytesToTopLevelBoundary(in: bytes) else { return [token] }
        let text = String(decoding: bytes[..<end], as: UTF8.self)
        let ids = tokenizer.encode(text, parseSpecial: false)
        // A token may start inside a UTF-8 character; such a piece stays whole.
        return Array(text.utf8) == Array(bytes[..<end]) && !ids.isEmpty ? ids : [token]
    }
}
