import ArborGrammar
import ArborModel
import ArborSchema

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
    /// The token limit was about to cut the text, so it was closed by the grammar's
    /// shortest completion (still valid, but shorter than the model would have written).
    public var closedAtTokenLimit = false
}

/// Runs a language model under a grammar: every sampled token is one the grammar allows, and
/// text the grammar forces is fed without sampling (jump-forward).
///
/// ```swift
/// let decoder = ConstrainedDecoder(model: transformer, tokenizer: tokenizer, grammar: compiled)
/// let output = try decoder.generate(prompt: ids, sampler: &sampler, maxTokens: 200)
/// ```
public struct ConstrainedDecoder {
    public let model: any DecodingBackend
    public let tokenizer: BPETokenizer
    public let grammar: CompiledGrammar
    /// Called with a pending hole's name (e.g. a tool result); returns the JSON to fill it.
    public var fillHole: ((String, inout GrammarMatcher) throws -> [UInt8])?

    public init(model: any DecodingBackend, tokenizer: BPETokenizer, grammar: CompiledGrammar,
                fillHole: ((String, inout GrammarMatcher) throws -> [UInt8])? = nil) {
        self.model = model
        self.tokenizer = tokenizer
        self.grammar = grammar
        self.fillHole = fillHole
    }

    /// Prefills `prompt` at positions 0..<count, then generates until the grammar is complete:
    /// the decode loop of a run (``TreeDecoder``) without a tree. When `maxTokens` is about
    /// to cut the text, the rest is the grammar's shortest completion
    /// (``ConstrainedOutput/closedAtTokenLimit``), so the value is still complete. The model's
    /// sequence must be empty. Returns the text and its JSON value (not yet checked against a
    /// schema; see ``generate(prompt:sampler:maxTokens:schema:)``).
    public func generate(prompt: [Int32], sampler: inout Sampler, maxTokens: Int) throws -> ConstrainedOutput {
        var decoder = TreeDecoder(backend: model, tokenizer: tokenizer, grammar: grammar,
                                  settings: TreeDecoder.Settings(sampling: sampler.settings, maxTokens: maxTokens, prune: false, isTree: false))
        decoder.sampler = sampler
        defer { sampler = decoder.sampler }
        try decoder.memory.feedPrompt(prompt)
        while let step = try decoder.next() {
            guard case .hole(let name) = step else { continue }
            guard let fillHole else { throw RuntimeError.noTokenAllowed(step: decoder.written) }
            try decoder.fillHole { matcher in try fillHole(name, &matcher) }
        }
        let bytes = decoder.tracker.document
        let text = String(decoding: bytes, as: UTF8.self)
        let value: JSONValue
        do { value = try JSONValue(parsing: bytes) } catch { throw RuntimeError.invalidJSON(error, text: text) }
        let metrics = decoder.metrics
        return ConstrainedOutput(text: text, value: value, generatedTokens: metrics.generatedTokens, forcedTokens: metrics.forcedTokens,
                                 maskSeconds: metrics.maskSeconds, decodeSeconds: metrics.decodeSeconds,
                                 closedAtTokenLimit: decoder.closedAtTokenLimit)
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
