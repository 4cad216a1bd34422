import Foundation

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

    /// A digest of everything a compiled grammar's masks depend on in this vocabulary (each
    /// token's bytes, the end and special ids, the sorted order): part of a
    /// ``GrammarDiskCache`` file's name, computed once here instead of at every compile.
    let contentDigest: String

    /// Ids outside `tokens` are ignored.
    ///
    /// Builds the sorted tables from one flat copy of the tokens' bytes, comparing tokens
    /// with `memcmp`: every process that decodes under a grammar pays this once per
    /// tokenizer (Qwen2.5's 151,936 tokens), before any mask is read from disk.
    public init(tokens: [[UInt8]], endTokenIDs: [Int], specialTokenIDs: Set<Int> = []) {
        self.tokens = tokens
        self.endTokenIDs = endTokenIDs.filter { tokens.indices.contains($0) }
        self.specialTokenIDs = specialTokenIDs.filter { tokens.indices.contains($0) }.union(self.endTokenIDs)
        var isSpecial = [Bool](repeating: false, count: tokens.count)
        for id in self.specialTokenIDs { isSpecial[id] = true }

        // Every token's bytes back to back, by id.
        var byID: [UInt8] = []
        byID.reserveCapacity(tokens.reduce(0) { $0 + $1.count })
        var idOffsets: [Int32] = [0]
        idOffsets.reserveCapacity(tokens.count + 1)
        var ordinary: [Int32] = []
        ordinary.reserveCapacity(tokens.count)
        for (id, token) in tokens.enumerated() {
            byID += token
            idOffsets.append(Int32(byID.count))
            if !isSpecial[id] && !token.isEmpty { ordinary.append(Int32(id)) }
        }

        var sortedBytes: [UInt8] = []
        sortedBytes.reserveCapacity(byID.count)
        var sortedOffsets: [Int32] = [0]
        sortedOffsets.reserveCapacity(ordinary.count + 1)
        var shared = [UInt8](repeating: 0, count: ordinary.count)
        var longest = 0
        byID.withUnsafeBufferPointer { bytes in
            idOffsets.withUnsafeBufferPointer { offsets in
                let base = bytes.baseAddress
                // Byte order, then the shorter first (a prefix precedes its extensions), then
                // the lower id: the order `lexicographicallyPrecedes` and a stable sort give.
                ordinary.sort { a, b in
                    let aStart = Int(offsets[Int(a)]), aLength = Int(offsets[Int(a) + 1]) - aStart
                    let bStart = Int(offsets[Int(b)]), bLength = Int(offsets[Int(b) + 1]) - bStart
                    let order = memcmp(base! + aStart, base! + bStart, min(aLength, bLength))
                    if order != 0 { return order < 0 }
                    return aLength != bLength ? aLength < bLength : a < b
                }
                var previousStart = 0
                var previousLength = 0
                for (position, id) in ordinary.enumerated() {
                    let start = Int(offsets[Int(id)])
                    let length = Int(offsets[Int(id) + 1]) - start
                    var common = 0
                    let limit = min(previousLength, length, 255)
                    while common < limit, bytes[previousStart + common] == bytes[start + common] { common += 1 }
                    shared[position] = UInt8(common)
                    sortedBytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<(start + length)]))
                    sortedOffsets.append(Int32(sortedBytes.count))
                    longest = max(longest, length)
                    previousStart = start
                    previousLength = length
                }
            }
        }
        // `starts[b]`: the first position whose token starts with byte `b` or a later one.
        var starts = [Int](repeating: 0, count: 257)
        var position = 0
        for byte in 0...256 {
            while position < ordinary.count, Int(sortedBytes[Int(sortedOffsets[position])]) < byte { position += 1 }
            starts[byte] = position
        }
        sortedIDs = ordinary
        firstByteStart = starts
        self.sortedBytes = sortedBytes
        self.sortedOffsets = sortedOffsets
        sharedPrefix = shared
        longestToken = longest

        var hasher = StableHasher()
        hasher.combine(bytes: byID)
        hasher.combine(idOffsets)
        hasher.combine(self.endTokenIDs.map { Int32($0) })
        hasher.combine(self.specialTokenIDs.sorted().map { Int32($0) })
        hasher.combine(ordinary)
        contentDigest = hasher.hexDigest
    }

    /// A digest of what a vocabulary is made of (each token's bytes, the end and special
    /// ids), computed without building it: tokenizers of one model give the same digest, so a
    /// cache can share one vocabulary between them without comparing tables.
    public static func sourceDigest(tokens: [[UInt8]], endTokenIDs: [Int], specialTokenIDs: Set<Int>) -> String {
        var hasher = StableHasher()
        hasher.combine(tokens.count)
        for token in tokens { hasher.combine(bytes: token) }
        hasher.combine(endTokenIDs.sorted().map { Int32($0) })
        hasher.combine(specialTokenIDs.sorted().map { Int32($0) })
        return hasher.hexDigest
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
