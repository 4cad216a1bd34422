import ArborGrammar
import ArborModel
import Dispatch

/// The grammar's part of each decoding step, shared by every decoder: feed the text the
/// grammar forces (jump-forward), or sample one token under the grammar's mask.
struct GrammarSampling {
    let tokenizer: BPETokenizer
    private var mask: TokenMask
    private let wordCount: Int
    /// Seconds spent computing masks.
    private(set) var maskSeconds = 0.0

    init(grammar: CompiledGrammar, tokenizer: BPETokenizer, vocabularySize: Int, maskSeconds: Double = 0) {
        self.maskSeconds = maskSeconds
        self.tokenizer = tokenizer
        mask = TokenMask(vocabularySize: vocabularySize, allowAll: false)
        wordCount = grammar.vocabulary.maskWordCount
    }

    /// Accepts the tokens of the text the grammar forces now, at most `limit`, and returns
    /// them; empty when the grammar leaves a choice (or its canonical tokenization does not fit,
    /// in which case the caller samples). With `tree` (the tree so far, while its round may
    /// end), the text stops at the tree's next top-level task boundary, where the round ends.
    func acceptForced(_ matcher: inout GrammarMatcher, limit: Int, stoppingAtBoundaryOf tree: TreeTracker? = nil) -> [Int32] {
        var forcedText = matcher.forcedBytes()
        if let tree, let end = tree.bytesToTopLevelBoundary(in: forcedText) { forcedText.removeSubrange(end...) }
        guard !forcedText.isEmpty, limit > 0 else { return [] }
        var accepted: [Int32] = []
        for id in tokenizer.encode(String(decoding: forcedText, as: UTF8.self), parseSpecial: false) {
            guard accepted.count < limit, matcher.acceptToken(Int(id)) else { break }
            accepted.append(id)
        }
        return accepted
    }

    /// Samples a token the grammar allows from `logits`; -1 when it allows none.
    mutating func sample(_ matcher: inout GrammarMatcher, logits: UnsafeMutableBufferPointer<Float>,
                         sampler: inout Sampler, history: [Int32]) -> Int32 {
        let start = DispatchTime.now()
        let count = wordCount
        mask.words.withUnsafeMutableBufferPointer { words in
            precondition(words.count >= count)
            matcher.fillNextTokenMask(into: words.baseAddress!)
        }
        maskSeconds += Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return sampler.sample(logits, mask: mask, history: history)
    }
}
