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
    /// Keyed by the tokenizer's identity; the tokenizer is kept so that its identity is never
    /// reused by another tokenizer (whose vocabulary would differ) while it is a key here.
    private var vocabularies: [ObjectIdentifier: (tokenizer: BPETokenizer, vocabulary: TokenVocabulary)] = [:]
    private var grammars: [String: CompiledGrammar] = [:]
    /// Where compiled masks are kept between processes (nil: nowhere).
    public let diskCache: GrammarDiskCache?

    public init(diskCache: GrammarDiskCache? = GrammarDiskCache.standard()) {
        self.diskCache = diskCache
    }

    /// The process-wide cache.
    public static let shared = VocabularyCache()

    /// The grammar vocabulary of `tokenizer`: each token's bytes, end-of-generation tokens as
    /// end tokens, and other control/unused tokens as special (never allowed by a grammar).
    public func vocabulary(for tokenizer: BPETokenizer) -> TokenVocabulary {
        let key = ObjectIdentifier(tokenizer)
        lock.lock(); defer { lock.unlock() }
        if let cached = vocabularies[key] { return cached.vocabulary }
        let vocabulary = Self.makeVocabulary(tokenizer)
        vocabularies[key] = (tokenizer, vocabulary)
        return vocabulary
    }

    /// `grammar` compiled over `tokenizer`'s vocabulary, compiled on first use.
    public func compiled(_ grammar: Grammar, for tokenizer: BPETokenizer) throws(GrammarCompileError) -> CompiledGrammar {
        let vocabulary = vocabulary(for: tokenizer)
        let key = "\(ObjectIdentifier(tokenizer).hashValue)\n" + grammar.gbnf
        lock.lock()
        if let cached = grammars[key] { lock.unlock(); return cached }
        lock.unlock()
        let compiled = try CompiledGrammar(grammar, vocabulary: vocabulary, diskCache: diskCache)
        lock.lock(); grammars[key] = compiled; lock.unlock()
        return compiled
    }

    static func makeVocabulary(_ tokenizer: BPETokenizer) -> TokenVocabulary {
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
        let ends = tokenizer.endOfGenerationIDs.map { Int($0) }.sorted()
        return TokenVocabulary(tokens: tokens, endTokenIDs: ends, specialTokenIDs: special)
    }
}

