import ArborModel
import ArborRuntime
import ArborSchema

/// One request for a segment: the sequence so far as token ids and the grammar's residual.
public struct SegmentRequest: Sendable, Equatable {
    public var prompt: [Int32]
    /// GBNF (the GBNF subset llama.cpp and XGrammar share).
    public var grammar: String
    public var maxTokens: Int
    public var sampling: SamplerSettings
    /// Whether the server may reuse its cache of an earlier request's common prefix.
    public var cachePrompt: Bool
    /// Tokens the server must not write first (a token the matcher refused last time).
    public var bannedTokens: [Int32]

    public init(prompt: [Int32], grammar: String, maxTokens: Int, sampling: SamplerSettings, cachePrompt: Bool = true,
                bannedTokens: [Int32] = []) {
        self.prompt = prompt
        self.grammar = grammar
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.cachePrompt = cachePrompt
        self.bannedTokens = bannedTokens
    }
}

/// What a server wrote for a segment.
public struct SegmentReply: Sendable, Equatable {
    /// The tokens written, without an end token.
    public var tokens: [Int32]
    /// The model ended the text (an end token), as opposed to reaching the token limit.
    public var endedText: Bool
    /// Prompt tokens the server was sent and how many of them it took from its cache.
    public var promptTokens: Int
    public var cachedTokens: Int

    public init(tokens: [Int32], endedText: Bool, promptTokens: Int, cachedTokens: Int) {
        self.tokens = tokens
        self.endedText = endedText
        self.promptTokens = promptTokens
        self.cachedTokens = cachedTokens
    }
}

/// The request and reply shapes of each server family, as their APIs document them.
///
/// - llama-server: `POST /completion` with `prompt` as token ids, `grammar`, `n_predict`,
///   `cache_prompt`, `return_tokens`; the reply's `tokens`, `stop_type` and `timings`
///   (`prompt_n` computed, `cache_n` reused). `POST /tokenize` with `content`.
/// - vLLM: `POST /v1/completions` with `prompt` as token ids, `structured_outputs.grammar`,
///   `max_tokens`, `return_token_ids`; the reply's `choices[0].token_ids`, `finish_reason`,
///   `usage.prompt_tokens_details.cached_tokens`. `POST /tokenize` with `prompt`.
/// - SGLang: `POST /generate` with `input_ids` and `sampling_params.ebnf`; the reply's
///   `output_ids` and `meta_info` (`finish_reason.type`, `prompt_tokens`, `cached_tokens`).
///   `POST /tokenize` with `prompt`.
public struct ServerAPI: Sendable {
    public let engine: ServingEngine

    public init(engine: ServingEngine) {
        self.engine = engine
    }

    public var segmentPath: String {
        switch engine.kind {
        case .llamaServer: return "/completion"
        case .vllm: return "/v1/completions"
        case .sglang: return "/generate"
        }
    }

    public var tokenizePath: String { "/tokenize" }

    /// The request body for `request`.
    public func body(_ request: SegmentRequest) -> JSONValue {
        let sampling = request.sampling
        let greedy = sampling.temperature <= 0 || sampling.topK == 1
        let prompt = JSONValue.array(request.prompt.map { .integer(Int64($0)) })
        var object = JSONObject()
        switch engine.kind {
        case .llamaServer:
            object["prompt"] = prompt
            object["n_predict"] = .integer(Int64(request.maxTokens))
            object["grammar"] = .string(request.grammar)
            object["cache_prompt"] = .bool(request.cachePrompt)
            object["return_tokens"] = true
            object["stream"] = false
            addSampling(to: &object, sampling, greedy: greedy, topKKey: "top_k")
            object["min_p"] = .number(Double(sampling.minP))
            object["repeat_penalty"] = .number(Double(sampling.repetitionPenalty))
            object["repeat_last_n"] = .integer(Int64(sampling.repetitionWindow))
            if !request.bannedTokens.isEmpty {
                object["logit_bias"] = .array(request.bannedTokens.map { .array([.integer(Int64($0)), .bool(false)]) })
            }
        case .vllm:
            if let model = engine.model { object["model"] = .string(model) }
            object["prompt"] = prompt
            object["max_tokens"] = .integer(Int64(request.maxTokens))
            object["structured_outputs"] = .object(["grammar": .string(request.grammar)])
            object["return_token_ids"] = true
            object["skip_special_tokens"] = false
            addSampling(to: &object, sampling, greedy: greedy, topKKey: "top_k")
            object["repetition_penalty"] = .number(Double(sampling.repetitionPenalty))
            if !request.bannedTokens.isEmpty {
                object["logit_bias"] = .object(JSONObject(request.bannedTokens.map { (String($0), JSONValue.number(-100)) }))
            }
        case .sglang:
            object["input_ids"] = prompt
            var params = JSONObject()
            params["max_new_tokens"] = .integer(Int64(request.maxTokens))
            params["ebnf"] = .string(request.grammar)
            params["skip_special_tokens"] = false
            addSampling(to: &params, sampling, greedy: greedy, topKKey: "top_k")
            params["repetition_penalty"] = .number(Double(sampling.repetitionPenalty))
            if !request.bannedTokens.isEmpty {
                params["logit_bias"] = .object(JSONObject(request.bannedTokens.map { (String($0), JSONValue.number(-100)) }))
            }
            object["sampling_params"] = .object(params)
        }
        return .object(object)
    }

    private func addSampling(to object: inout JSONObject, _ sampling: SamplerSettings, greedy: Bool, topKKey: String) {
        object["temperature"] = .number(greedy ? 0 : Double(sampling.temperature))
        object[topKKey] = .integer(greedy ? 1 : Int64(sampling.topK))
        object["top_p"] = .number(greedy ? 1 : Double(sampling.topP))
        object[engine.kind == .sglang ? "sampling_seed" : "seed"] = .integer(Int64(truncatingIfNeeded: sampling.seed & 0x7FFF_FFFF))
    }

    /// Reads a segment reply; `endIDs` are the tokenizer's end-of-generation tokens.
    public func reply(_ json: JSONValue, endIDs: Set<Int32>) throws -> SegmentReply {
        func fail(_ reason: String) -> RemoteError { .malformedReply(server: engine.url, reason: reason) }
        func ids(_ value: JSONValue?) throws -> [Int32] {
            guard let array = value?.arrayValue else { throw fail("no token ids in the reply") }
            return try array.map { item in
                guard let id = item.integerValue, let narrow = Int32(exactly: id) else { throw fail("token id \(item.compactString) is not an integer") }
                return narrow
            }
        }
        let object = json.objectValue ?? [:]
        var tokens: [Int32]
        var ended: Bool
        var prompt = 0, cached = 0
        switch engine.kind {
        case .llamaServer:
            tokens = try ids(object["tokens"])
            ended = object["stop_type"]?.stringValue == "eos"
            let timings = object["timings"]?.objectValue ?? [:]
            cached = Int(timings["cache_n"]?.integerValue ?? 0)
            prompt = Int(object["tokens_evaluated"]?.integerValue ?? 0)
        case .vllm:
            guard let choice = object["choices"]?.arrayValue?.first?.objectValue else { throw fail("no choices[0] in the reply") }
            tokens = try ids(choice["token_ids"])
            ended = choice["finish_reason"]?.stringValue == "stop"
            let usage = object["usage"]?.objectValue ?? [:]
            prompt = Int(usage["prompt_tokens"]?.integerValue ?? 0)
            cached = Int(usage["prompt_tokens_details"]?.objectValue?["cached_tokens"]?.integerValue ?? 0)
        case .sglang:
            tokens = try ids(object["output_ids"])
            let meta = object["meta_info"]?.objectValue ?? [:]
            ended = meta["finish_reason"]?.objectValue?["type"]?.stringValue == "stop"
            prompt = Int(meta["prompt_tokens"]?.integerValue ?? 0)
            cached = Int(meta["cached_tokens"]?.integerValue ?? 0)
        }
        if let last = tokens.last, endIDs.contains(last) {
            tokens.removeLast()
            ended = true
        }
        return SegmentReply(tokens: tokens, endedText: ended, promptTokens: prompt, cachedTokens: cached)
    }

    /// The body of a tokenize request for `text` (no special tokens added or parsed).
    public func tokenizeBody(_ text: String) -> JSONValue {
        switch engine.kind {
        case .llamaServer:
            return ["content": .string(text), "add_special": false, "parse_special": false]
        case .vllm:
            var object: JSONObject = ["prompt": .string(text), "add_special_tokens": false]
            if let model = engine.model { object["model"] = .string(model) }
            return .object(object)
        case .sglang:
            return ["prompt": .string(text), "add_special_tokens": false]
        }
    }

    /// The ids of a tokenize reply (every family answers `{"tokens": [...]}`).
    public func tokenized(_ json: JSONValue) throws -> [Int32] {
        guard let array = json.objectValue?["tokens"]?.arrayValue else {
            throw RemoteError.malformedReply(server: engine.url, reason: "no \"tokens\" in the tokenize reply")
        }
        return try array.map { item in
            // llama-server answers plain ids, or {"id": …} objects when asked for pieces.
            guard let id = item.integerValue ?? item.objectValue?["id"]?.integerValue, let narrow = Int32(exactly: id) else {
                throw RemoteError.malformedReply(server: engine.url, reason: "token \(item.compactString) is not an id")
            }
            return narrow
        }
    }
}
