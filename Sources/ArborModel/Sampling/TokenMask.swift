/// A set of allowed tokens as a bitmask: 32 tokens per `UInt32` word, token `t` is bit
/// `t % 32` of word `t / 32`, a set bit means allowed (the grammar matcher's layout).
///
/// ```swift
/// var mask = TokenMask(vocabularySize: 49152, allowAll: false)
/// mask.allow(42)
/// mask.apply(to: model.logits) // disallowed logits become -infinity
/// ```
public struct TokenMask: Sendable, Equatable {
    public var words: [UInt32]
    public let vocabularySize: Int

    public init(vocabularySize: Int, allowAll: Bool = true) {
        self.vocabularySize = vocabularySize
        words = Array(repeating: allowAll ? ~0 : 0, count: (vocabularySize + 31) / 32)
    }

    /// Wraps words produced elsewhere (e.g. a grammar matcher's `fillMask`).
    public init(words: [UInt32], vocabularySize: Int) {
        precondition(words.count * 32 >= vocabularySize, "mask has fewer bits than the vocabulary")
        self.words = words
        self.vocabularySize = vocabularySize
    }

    public func allows(_ token: Int32) -> Bool {
        let t = Int(token)
        guard t >= 0, t < vocabularySize else { return false }
        return words[t >> 5] & (1 << UInt32(t & 31)) != 0
    }

    public mutating func allow(_ token: Int32) { words[Int(token) >> 5] |= 1 << UInt32(Int(token) & 31) }
    public mutating func forbid(_ token: Int32) { words[Int(token) >> 5] &= ~(1 << UInt32(Int(token) & 31)) }

    /// Sets the logits of disallowed tokens to -infinity.
    ///
    /// Works a word at a time: an all-allowed word is skipped, an all-forbidden word (most of
    /// them under a grammar, which allows a few hundred of 49,152 tokens) is one fill of 32
    /// floats, and a mixed word visits only its clear bits.
    public func apply(to logits: UnsafeMutableBufferPointer<Float>) {
        let n = min(logits.count, vocabularySize)
        guard n > 0, let base = logits.baseAddress else { return }
        words.withUnsafeBufferPointer { words in
            for w in 0..<min(words.count, (n + 31) / 32) {
                let bits = words[w]
                if bits == ~0 { continue }
                let start = w &* 32
                let count = min(32, n - start)
                if bits == 0 {
                    (base + start).update(repeating: -.infinity, count: count)
                    continue
                }
                var forbidden = ~bits
                while forbidden != 0 {
                    let b = forbidden.trailingZeroBitCount
                    if b >= count { break }
                    base[start + b] = -.infinity
                    forbidden &= forbidden &- 1
                }
            }
        }
    }
}
