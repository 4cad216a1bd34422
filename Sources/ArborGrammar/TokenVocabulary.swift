/// A tokenizer's vocabulary as plain data: each token's bytes and which ids are special.
///
/// ArborGrammar knows nothing of tokenizers; the runtime hands over the decoded byte
/// string of every token id. End tokens (EOS, end-of-turn) are allowed only where the
/// grammar is complete; other special tokens (control tokens with no text) are never
/// allowed. Tokens are also kept sorted by their bytes, which is the order a token trie
/// visits them: neighbours share prefixes, so checking them in this order reuses work.
///
/// ```swift
/// let vocabulary = TokenVocabulary(tokens: [Array("{".utf8), Array("\"".utf8), []], endTokenIDs: [2])
/// vocabulary.maskWordCount  // 1
/// ```
public struct TokenVocabulary: Sendable {
    /// The bytes of every token, by id.
    public let tokens: [[UInt8]]
    /// Ids that end generation.
    public let endTokenIDs: [Int]
    /// Ids that never match text (end tokens included).
    public let specialTokenIDs: Set<Int>
    /// Ordinary tokens (non-empty, not special) sorted by their bytes.
    let sortedIDs: [Int32]
    /// `sortedIDs[firstByteStart[b]..<firstByteStart[b + 1]]` are the tokens starting with byte `b`.
    let firstByteStart: [Int]
    /// The bytes of the sorted tokens, back to back: position `p` (an index into
    /// ``sortedIDs``) is `sortedBytes[sortedOffsets[p]..<sortedOffsets[p + 1]]`. One flat
    /// buffer, so a walk over the vocabulary touches no per-token array.
    let sortedBytes: [UInt8]
    let sortedOffsets: [Int32]
    /// How many leading bytes position `p` shares with position `p - 1` (0 for the first),
    /// capped at 255: the depth at which a token trie walk leaves the previous token's path.
    let sharedPrefix: [UInt8]
    /// The length of the longest ordinary token.
    let longestToken: Int

    /// Ids outside `tokens` are ignored.
    public init(tokens: [[UInt8]], endTokenIDs: [Int], specialTokenIDs: Set<Int> = []) {
        self.tokens = tokens
        self.endTokenIDs = endTokenIDs.filter { tokens.indices.contains($0) }
        self.specialTokenIDs = specialTokenIDs.filter { tokens.indices.contains($0) }.union(self.endTokenIDs)
        let special = self.specialTokenIDs
        let ordinary = tokens.indices.filter { !special.contains($0) && !tokens[$0].isEmpty }
        sortedIDs = ordinary.sorted { tokens[$0].lexicographicallyPrecedes(tokens[$1]) }.map { Int32($0) }
        var starts = [Int](repeating: 0, count: 257)
        var position = 0
        for byte in 0...256 {
            while position < sortedIDs.count, Int(tokens[Int(sortedIDs[position])][0]) < byte { position += 1 }
            starts[byte] = position
        }
        firstByteStart = starts
        var flat: [UInt8] = []
        var offsets: [Int32] = [0]
        var shared: [UInt8] = []
        var longest = 0
        var previous: [UInt8] = []
        for id in sortedIDs {
            let bytes = tokens[Int(id)]
            var common = 0
            while common < min(previous.count, bytes.count, 255), previous[common] == bytes[common] { common += 1 }
            shared.append(UInt8(common))
            flat += bytes
            offsets.append(Int32(flat.count))
            longest = max(longest, bytes.count)
            previous = bytes
        }
        sortedBytes = flat
        sortedOffsets = offsets
        sharedPrefix = shared
        longestToken = longest
    }

    /// The byte length of the token at `position` in the sorted vocabulary.
    func tokenLength(atSortedPosition position: Int) -> Int {
        Int(sortedOffsets[position + 1] - sortedOffsets[position])
    }

    /// The number of token ids.
    public var count: Int { tokens.count }

    /// The `UInt32` words a token mask over this vocabulary needs: `(count + 31) / 32`.
    public var maskWordCount: Int { (tokens.count + 31) / 32 }
}
