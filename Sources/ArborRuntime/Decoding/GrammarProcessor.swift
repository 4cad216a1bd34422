import ArborGrammar
import ArborModel
import Dispatch

/// The grammar as the decode loop's logit processor: it owns the grammar state, masks the
/// logits before each sample, hands out the text the grammar forces (jump-forward) and the
/// grammar's shortest way to the end (the token limit's closing text).
struct GrammarProcessor {
    let tokenizer: BPETokenizer
    /// The grammar state after every token accepted so far.
    private(set) var matcher: GrammarMatcher
    private var mask: TokenMask
    private var wordCount: Int
    /// Seconds spent computing masks.
    private(set) var maskSeconds: Double

    init(grammar: CompiledGrammar, tokenizer: BPETokenizer, vocabularySize: Int, maskSeconds: Double = 0) {
        self.tokenizer = tokenizer
        self.maskSeconds = maskSeconds
        matcher = GrammarMatcher(grammar)
        mask = TokenMask(vocabularySize: vocabularySize, allowAll: false)
        wordCount = grammar.vocabulary.maskWordCount
    }

    /// Goes on under another grammar from `state` (a matcher of that grammar that has taken
    /// the document so far); the mask time adds up across both.
    mutating func switchGrammar(to state: GrammarMatcher) {
        matcher = state
        wordCount = state.compiled.vocabulary.maskWordCount
    }

    var isComplete: Bool { matcher.isComplete }
    var pendingHole: String? { matcher.pendingHole }

    mutating func accept(_ token: Int32) -> Bool { matcher.acceptToken(Int(token)) }

    /// Accepts a hole's filling (a tool result's JSON).
    mutating func fillHole(with bytes: [UInt8]) -> Bool { matcher.fillHole(with: bytes) }

    /// Steps over the pending hole whatever text the runtime writes there: the prose syntax
    /// writes a result as a person would (` 56`) or nothing, not a JSON value.
    mutating func skipHole() -> Bool { matcher.fillHole(with: Array("null".utf8)) }

    /// Lets `fill` write the pending hole into the grammar state itself; returns its bytes.
    mutating func fillHole(_ fill: (inout GrammarMatcher) throws -> [UInt8]) rethrows -> [UInt8] {
        try fill(&matcher)
    }

    /// Accepts the tokens of the text the grammar forces now, at most `limit`, and returns
    /// them; empty when the grammar leaves a choice (or its canonical tokenization does not fit,
    /// in which case the caller samples). With `tree` (the tree so far, while its round may
    /// end), the text stops at the tree's next top-level task boundary, where the round ends.
    mutating func acceptForced(limit: Int, stoppingAtBoundaryOf tree: TreeTracker? = nil) -> [Int32] {
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

    /// Samples a token the grammar allows from `logits`; -1 when it allows none. The token is
    /// not accepted yet (the caller may cut it at a round boundary first).
    mutating func sample(logits: UnsafeMutableBufferPointer<Float>, sampler: inout Sampler, history: [Int32]) -> Int32 {
        let start = DispatchTime.now()
        let count = wordCount
        mask.words.withUnsafeMutableBufferPointer { words in
            precondition(words.count >= count)
            matcher.fillNextTokenMask(into: words.baseAddress!)
        }
        maskSeconds += Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return sampler.sample(logits, mask: mask, history: history)
    }

    /// The bytes of the grammar's shortest completion from here; nil when every completion
    /// needs a hole's text.
    mutating func shortestCompletion() -> [UInt8]? { matcher.shortestCompletion(limit: TokenLimitClosing.longestClosing) }

    /// Inside a begun tool call's parameters: every completion needs the tool's result.
    var isInsideToolCall: Bool { matcher.pendingHole == nil && matcher.shortestLengthToHole != nil }

    /// Bytes of the shortest completion of the whole document, tool results not counted.
    var shortestCompletionLengthThroughHoles: Int? { matcher.shortestCompletionLengthThroughHoles }

    /// The shortest text to the pending tool call's result.
    mutating func shortestCompletionToHole() -> [UInt8]? { matcher.shortestCompletionToHole(limit: TokenLimitClosing.longestClosing) }

    /// The tokens of the shortest way to the pending tool call's result, as encoded.
    mutating func tokensToToolResult() -> Int? { shortestCompletionToHole().map(encodedLength) }

    /// The tokens of the shortest completion as the tokenizer encodes it.
    mutating func shortestCompletionTokens() -> Int? { shortestCompletion().map(encodedLength) }

    private func encodedLength(_ bytes: [UInt8]) -> Int {
        tokenizer.encode(String(decoding: bytes, as: UTF8.self), parseSpecial: false).count
    }

    /// Accepts the first token of `text` (a completion the grammar allows) and returns it;
    /// nil when neither its first token nor its first byte's single-byte token fits. Text that
    /// starts inside a UTF-8 character (the model stopped mid-character) does not survive as a
    /// String: such a byte goes as its single-byte token.
    mutating func acceptFirstToken(of text: [UInt8]) -> Int32? {
        guard let first = text.first else { return nil }
        if let encoded = tokenizer.encode(String(decoding: text, as: UTF8.self), parseSpecial: false).first,
           text.starts(with: tokenizer.tokenBytes(encoded)), matcher.acceptToken(Int(encoded)) {
            return encoded
        }
        if let byte = Self.singleByteTokens(matcher.compiled.vocabulary)[Int(first)], matcher.acceptToken(byte) {
            return Int32(byte)
        }
        return nil
    }

    /// Accepts the tokens of `text` (a completion the grammar allows), one token at a time as
    /// ``acceptFirstToken(of:)`` finds it, so that text beginning inside a UTF-8 character
    /// goes on from its bytes; nil, with nothing accepted, when some token does not fit.
    mutating func acceptText(_ text: [UInt8]) -> [Int32]? {
        let saved = matcher
        var rest = text[...]
        var ids: [Int32] = []
        while !rest.isEmpty {
            guard let id = acceptFirstToken(of: Array(rest)) else {
                matcher = saved
                return nil
            }
            ids.append(id)
            rest = rest.dropFirst(tokenizer.tokenBytes(id).count)
        }
        return ids
    }

    /// Whether the model's own first choice — the raw logits' highest, before the grammar's
    /// mask and the sampler's penalties — is to end the text while the grammar does not allow
    /// the end yet: the model has said what it had to say, and masking the end only makes it
    /// write on (code, notes, repeats) until the token limit.
    func endsBeforeGrammarAllows(logits: UnsafeMutableBufferPointer<Float>) -> Bool {
        guard !matcher.isComplete else { return false }
        let best = Sampler.argmax(logits)
        return best >= 0 && tokenizer.isEndOfGeneration(best)
    }

    /// Whether any further non-end token is allowed (false when only the end token is).
    var canAcceptAnyMore: Bool {
        var copy = matcher
        let words = copy.nextTokenMask()
        let ends = Set(matcher.compiled.vocabulary.endTokenIDs)
        for (w, word) in words.enumerated() where word != 0 {
            for bit in 0..<32 where word & (1 << UInt32(bit)) != 0 {
                if !ends.contains(w * 32 + bit) { return true }
            }
        }
        return false
    }

    /// The id of the token that is exactly each byte, where the vocabulary has one.
    static func singleByteTokens(_ vocabulary: TokenVocabulary) -> [Int?] {
        var table = [Int?](repeating: nil, count: 256)
        for (id, bytes) in vocabulary.tokens.enumerated()
        where bytes.count == 1 && table[Int(bytes[0])] == nil && !vocabulary.specialTokenIDs.contains(id) {
            table[Int(bytes[0])] = id
        }
        return table
    }
}
