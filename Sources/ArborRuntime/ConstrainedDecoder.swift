import ArborGrammar
import ArborModel
import ArborSchema
import Dispatch
import Foundation

/// Builds the grammar vocabulary of a tokenizer, and compiles grammars over it, once each.
///
/// The 49k-token vocabulary and a compiled grammar's mask cache are costly; the cache keys
/// compiled grammars by their GBNF text. Thread-safe: all state is behind `lock`.
public final class VocabularyCache: @unchecked Sendable {
    private let lock = NSLock()
    private var vocabularies: [ObjectIdentifier: TokenVocabulary] = [:]
    private var grammars: [String: CompiledGrammar] = [:]

    public init() {}

    /// The process-wide cache.
    public static let shared = VocabularyCache()

    /// The grammar vocabulary of `tokenizer`: each token's bytes, end-of-generation tokens as
    /// end tokens, and other control/unused tokens as special (never allowed by a grammar).
    public func vocabulary(for tokenizer: BPETokenizer) -> TokenVocabulary {
        let key = ObjectIdentifier(tokenizer)
        lock.lock(); defer { lock.unlock() }
        if let cached = vocabularies[key] { return cached }
        let vocabulary = Self.makeVocabulary(tokenizer)
        vocabularies[key] = vocabulary
        return vocabulary
    }

    /// `grammar` compiled over `tokenizer`'s vocabulary, compiled on first use.
    public func compiled(_ grammar: Grammar, for tokenizer: BPETokenizer) throws(GrammarCompileError) -> CompiledGrammar {
        let vocabulary = vocabulary(for: tokenizer)
        let key = "\(ObjectIdentifier(tokenizer).hashValue)\n" + grammar.gbnf
        lock.lock()
        if let cached = grammars[key] { lock.unlock(); return cached }
        lock.unlock()
        let compiled = try CompiledGrammar(grammar, vocabulary: vocabulary)
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

/// The result of one constrained generation.
public struct ConstrainedOutput: Sendable {
    /// The generated text (end token excluded).
    public var text: String
    /// The text parsed as JSON.
    public var value: JSONValue
    /// Tokens chosen by sampling.
    public var generatedTokens: Int
    /// Tokens fed by jump-forward without sampling.
    public var forcedTokens: Int
    /// Seconds spent computing token masks.
    public var maskSeconds: Double
    /// Seconds spent in the whole decode loop (prefill excluded).
    public var decodeSeconds: Double
}

/// Runs a language model under a grammar: every sampled token is one the grammar allows, and
/// text the grammar forces is fed without sampling (jump-forward).
///
/// ```swift
/// let decoder = ConstrainedDecoder(model: transformer, tokenizer: tokenizer, grammar: compiled)
/// let output = try decoder.generate(prompt: ids, sampler: &sampler, maxTokens: 200)
/// ```
public struct ConstrainedDecoder {
    public let model: any LanguageModel
    public let tokenizer: BPETokenizer
    public let grammar: CompiledGrammar
    /// Called with a pending hole's name (e.g. a tool result); returns the JSON to fill it.
    public var fillHole: ((String, inout GrammarMatcher) throws -> [UInt8])?

    public init(model: any LanguageModel, tokenizer: BPETokenizer, grammar: CompiledGrammar,
                fillHole: ((String, inout GrammarMatcher) throws -> [UInt8])? = nil) {
        self.model = model
        self.tokenizer = tokenizer
        self.grammar = grammar
        self.fillHole = fillHole
    }

    /// Prefills `prompt` at positions 0..<count, then generates until the grammar is complete.
    /// The model's sequence must be empty. Returns the text and its JSON value (not yet
    /// checked against a schema; see ``generate(prompt:sampler:maxTokens:schema:)``).
    public func generate(prompt: [Int32], sampler: inout Sampler, maxTokens: Int) throws -> ConstrainedOutput {
        var position = Int32(0)
        _ = try model.prefill(tokens: prompt, positions: (0..<Int32(prompt.count)).map { $0 })
        position = Int32(prompt.count)
        var matcher = GrammarMatcher(grammar)
        var grammarSampling = GrammarSampling(grammar: grammar, tokenizer: tokenizer, vocabularySize: model.vocabularySize)
        var output: [Int32] = []
        var bytes: [UInt8] = []
        var generated = 0, forced = 0
        let start = DispatchTime.now()

        func feed(_ token: Int32) throws {
            _ = try model.decode(token: token, position: position)
            position += 1
            output.append(token)
            bytes += tokenizer.tokenBytes(token)
        }

        while generated + forced < maxTokens {
            if let hole = matcher.pendingHole, let fill = fillHole {
                let json = try fill(hole, &matcher)
                let ids = tokenizer.encode(String(decoding: json, as: UTF8.self), parseSpecial: false)
                for id in ids where generated + forced < maxTokens { try feed(id); forced += 1 }
                continue
            }
            let forcedIDs = grammarSampling.acceptForced(&matcher, limit: maxTokens - generated - forced)
            if !forcedIDs.isEmpty {
                for id in forcedIDs { try feed(id) }
                forced += forcedIDs.count
                continue
            }
            let token = grammarSampling.sample(&matcher, logits: model.logits, sampler: &sampler, history: output)
            guard token >= 0 else { throw RuntimeError.noTokenAllowed(step: generated + forced) }
            if tokenizer.isEndOfGeneration(token) {
                if matcher.isComplete { break }
                throw RuntimeError.noTokenAllowed(step: generated + forced)
            }
            guard matcher.acceptToken(Int(token)) else { throw RuntimeError.noTokenAllowed(step: generated + forced) }
            generated += 1
            try feed(token)
            if matcher.isComplete && !matcher.canAcceptAnyMore { break }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard matcher.isComplete else { throw RuntimeError.incomplete(maxTokens: maxTokens, text: text) }
        let value: JSONValue
        do { value = try JSONValue(parsing: bytes) } catch { throw RuntimeError.invalidJSON(error, text: text) }
        return ConstrainedOutput(text: text, value: value, generatedTokens: generated, forcedTokens: forced,
                                 maskSeconds: grammarSampling.maskSeconds, decodeSeconds: seconds(since: start))
    }

    /// Generates and validates the value against `schema`.
    public func generate(prompt: [Int32], sampler: inout Sampler, maxTokens: Int,
                         schema: SchemaDocument) throws -> ConstrainedOutput {
        let output = try generate(prompt: prompt, sampler: &sampler, maxTokens: maxTokens)
        let errors = schema.validate(output.value)
        if !errors.isEmpty { throw RuntimeError.schemaViolation(errors.map { "\($0)" }, text: output.text) }
        return output
    }
}

extension GrammarMatcher {
    /// Whether any further non-end token is allowed (false when only the end token is).
    var canAcceptAnyMore: Bool {
        var copy = self
        let words = copy.nextTokenMask()
        let ends = Set(compiled.vocabulary.endTokenIDs)
        for (w, word) in words.enumerated() where word != 0 {
            for bit in 0..<32 where word & (1 << UInt32(bit)) != 0 {
                if !ends.contains(w * 32 + bit) { return true }
            }
        }
        return false
    }
}
