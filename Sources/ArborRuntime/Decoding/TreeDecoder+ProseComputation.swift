import ArborGrammar
import ArborModel

extension TreeDecoder {
    /// The prose syntax's computations the model did not ask for with a trailing `=`, written
    /// where it is about to go on without them; nil when nothing was written.
    ///
    /// - A program's output: the text ends with a ```` ```python ```` block and
    ///   ```` ```output ````, where the model would invent a number; the runtime writes what the
    ///   program's arithmetic gives (``ProseProgram``) and closes the block.
    /// - A calculation written after its `=` (`Total cost for pens = 8 * $7`) when the model's
    ///   first choice (raw logits, as the end rule reads them) ends the line or the text: the
    ///   runtime writes ` =`, and that `=` calls the calculator as the model's own would.
    ///
    /// Both are decided from the text and the raw logits alone and written as forced tokens,
    /// so a replay accepts them as recorded and a greedy resume decides the same.
    mutating func proseComputation() throws -> [Int32]? {
        guard let steps, steps.syntax == .prose, !steps.isInAnswer, steps.spec.inlineExpression != nil,
              grammar.pendingHole == nil else { return nil }
        let written = steps.writtenText
        if let output = ProseProgram.output(endingAt: written[...]) {
            guard let ids = grammar.acceptText(Array((output + "```\n").utf8)) ?? grammar.acceptText(Array(output.utf8)) else { return nil }
            metrics.forcedTokens += ids.count
            try append(ids, kind: .forced)
            return ids
        }
        guard toolCalls.count < steps.spec.maxToolCalls ?? Int.max, ProseArithmetic.endsWithUnworkedCalculation(written[...]),
              modelEndsLine(logits: backend.logits) else { return nil }
        let equals = written.hasSuffix(" ") ? "=" : " ="
        guard let ids = grammar.acceptText(Array(equals.utf8)) else { return nil }
        metrics.forcedTokens += ids.count
        try append(ids, kind: .forced)
        return ids
    }

    /// Whether the raw logits' highest token ends the text or begins a new line (or closes a
    /// LaTeX formula, `\]`, `\)`).
    private func modelEndsLine(logits: UnsafeMutableBufferPointer<Float>) -> Bool {
        let best = Sampler.argmax(logits)
        guard best >= 0 else { return false }
        if tokenizer.isEndOfGeneration(best) { return true }
        let bytes = tokenizer.tokenBytes(best).drop(while: { $0 == UInt8(ascii: " ") })
        return bytes.first == UInt8(ascii: "\n") || bytes.starts(with: Array("\\]".utf8)) || bytes.starts(with: Array("\\)".utf8))
    }
}
