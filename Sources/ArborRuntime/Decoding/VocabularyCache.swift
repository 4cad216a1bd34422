import ArborGrammar
import ArborModel
import Foundation

/// Builds the grammar vocabulary of a tokenizer, and compiles grammars over it, once each.
///
/// The 49k-token vocabulary and a compiled grammar's mask cache are costly; the cache keys
/// compiled grammars by their GBNF text, and keeps their masks on disk for the next process
/// (``GrammarDiskCache``: a repeated run or a resume reads them instead of computing them).
/// Thread-safe: all state is behind `lock`.
public final class VocabularyCache: @unchecked Sendable {
    private let lock = NSLock()
    /// Vocabularies by ``TokenVocabulary/sourceDigest(tokens:endTokenIDs:specialTokenIDs:)``:
    /// tokenizers of one model share one vocabulary.
    private var vocabularies: [String: TokenVocabulary] = [:]
    /// The digest of each tokenizer seen, so that one asked for again is not read again. The
    /// tokenizer is held weakly: none is kept alive here, and one that was freed (whose
    /// identity a later tokenizer may get) is never taken for that later one.
    private var digests: [ObjectIdentifier: (tokenizer: WeakTokenizer, digest: String)] = [:]
    /// Compiled grammars by their vocabulary's digest and their GBNF text.
    private var grammars: [String: CompiledGrammar] = [:]
    /// Where compiled masks are kept between processes (nil: nowhere).
    public let diskCache: GrammarDiskCache?

    private struct WeakTokenizer {
        weak var value: BPETokenizer?
    }

    public init(diskCache: GrammarDiskCache? = GrammarDiskCache.standard()) {
        self.diskCache = diskCache
    }

    /// The process-wide cache.
    public static let shared = VocabularyCache()

    /// The grammar vocabulary of `tokenizer`: each token's bytes, end-of-generation tokens as
    /// end tokens, and other control/unused tokens as special (never allowed by a grammar).
    public func vocabulary(for tokenizer: BPETokenizer) -> TokenVocabulary {
        entry(for: tokenizer).vocabulary
    }

    /// `grammar` compiled over `tokenizer`'s vocabulary, compiled on first use.
    public func compiled(_ grammar: Grammar, for tokenizer: BPETokenizer) throws(GrammarCompileError) -> CompiledGrammar {
        let (digest, vocabulary) = entry(for: tokenizer)
        let key = digest + "\n" + grammar.gbnf
        lock.lock()
        if let cached = grammars[key] { lock.unlock(); return cached }
        lock.unlock()
        let compiled = try CompiledGrammar(grammar, vocabulary: vocabulary, diskCache: diskCache)
        lock.lock(); grammars[key] = compiled; lock.unlock()
        return compiled
    }

    /// How many distinct vocabularies the cache holds.
    var vocabularyCount: Int {
        lock.withLock { vocabularies.count }
    }

    private func entry(for tokenizer: BPETokenizer) -> (digest: String, vocabulary: TokenVocabulary) {
        let key = ObjectIdentifier(tokenizer)
        lock.lock(); defer { lock.unlock() }
        if let known = digests[key], known.tokenizer.value === tokenizer, let vocabulary = vocabularies[known.digest] {
            return (known.digest, vocabulary)
        }
        let parts = Self.vocabularyParts(tokenizer)
        let digest = TokenVocabulary.sourceDigest(tokens: parts.tokens, endTokenIDs: parts.ends, specialTokenIDs: parts.special)
        digests = digests.filter { $0.value.tokenizer.value != nil }
        digests[key] = (WeakTokenizer(value: tokenizer), digest)
        if let vocabulary = vocabularies[digest] { return (digest, vocabulary) }
        let vocabulary = TokenVocabulary(tokens: parts.tokens, endTokenIDs: parts.ends, specialTokenIDs: parts.special)
        vocabularies[digest] = vocabulary
        return (digest, vocabulary)
    }

    /// What `tokenizer`'s grammar vocabulary is made of: each token's bytes (empty for
    /// control tokens), the end-of-generation ids, and the other control ids as special.
    private static func vocabularyParts(_ tokenizer: BPETokenizer) -> (tokens: [[UInt8]], ends: [Int], special: Set<Int>) {
        var tokens: [[UInt8]] = []
        tokens.reserveCapacity(tokenizer.vocabularySize)
        var special = Set<Int>()
        for id in 0..<tokenizer.vocabularySize {
            let type = tokenizer.tokenTypes.indices.contains(id) ? tokenizer.tokenTypes[id] : .normal
            switch type {
            case .normal, .byte, .userDefined:
                tokens.append(tokenizer.tokenBytes(Int32(id)))
            default:
                tokens.append([])
                if !tokenizer.endOfGenerationIDs.contains(Int32(id)) { special.insert(id) }
            }
        }
        return (tokens, tokenizer.endOfGenerationIDs.map { Int($0) }.sorted(), special)
    }
}
