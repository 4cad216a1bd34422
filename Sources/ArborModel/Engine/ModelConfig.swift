/// Hyper-parameters of a Llama-family transformer, read once from a GGUF file's metadata.
///
/// The keys are `<arch>.block_count`, `<arch>.embedding_length`, … as llama.cpp writes them;
/// derived values (`headDim`, `kvDim`, `groupSize`) are computed properties.
///
/// ```swift
/// let config = try ModelConfig(architecture: "llama") { key in metadata[key] }
/// try config.validate()
/// ```
public struct ModelConfig: Codable, Sendable, Equatable {
    /// Architectures whose forward pass this engine implements.
    public enum Architecture: String, Codable, Sendable, CaseIterable {
        /// Llama / SmolLM2: interleaved RoPE pairs, no biases.
        case llama
        /// Qwen2 / Qwen2.5: NeoX RoPE, q/k/v biases.
        case qwen2
        /// Qwen3: NeoX RoPE, RMSNorm on each head of q and k, no biases.
        case qwen3
    }

    public var architecture: Architecture
    public var nLayer: Int
    public var dim: Int
    public var ffnDim: Int
    public var nHead: Int
    public var nKVHead: Int
    public var headDim: Int
    public var normEps: Float
    public var ropeBase: Float
    public var ropeDims: Int
    public var contextLength: Int
    public var vocabularySize: Int

    enum CodingKeys: String, CodingKey {
        case architecture, nLayer = "block_count", dim = "embedding_length"
        case ffnDim = "feed_forward_length", nHead = "attention.head_count"
        case nKVHead = "attention.head_count_kv", headDim = "attention.key_length"
        case normEps = "attention.layer_norm_rms_epsilon", ropeBase = "rope.freq_base"
        case ropeDims = "rope.dimension_count", contextLength = "context_length"
        case vocabularySize = "vocab_size"
    }

    public init(architecture: Architecture, nLayer: Int, dim: Int, ffnDim: Int, nHead: Int,
                nKVHead: Int, headDim: Int? = nil, normEps: Float = 1e-5, ropeBase: Float = 10000,
                ropeDims: Int? = nil, contextLength: Int = 2048, vocabularySize: Int) {
        self.architecture = architecture
        self.nLayer = nLayer
        self.dim = dim
        self.ffnDim = ffnDim
        self.nHead = nHead
        self.nKVHead = nKVHead
        let hd = headDim ?? (nHead > 0 ? dim / nHead : 0)
        self.headDim = hd
        self.normEps = normEps
        self.ropeBase = ropeBase
        self.ropeDims = ropeDims ?? hd
        self.contextLength = contextLength
        self.vocabularySize = vocabularySize
    }

    /// A metadata value as the configuration needs it: an integer, a float or a string.
    public enum MetadataValue: Sendable, Equatable {
        case int(Int)
        case float(Double)
        case string(String)
    }

    /// Reads the configuration from metadata looked up by full key.
    /// - Parameters:
    ///   - vocabularySize: the token count (from the tokenizer or `token_embd.weight`) when
    ///     the file has no `<arch>.vocab_size`.
    public init(metadata: (String) -> MetadataValue?, vocabularySize fallbackVocabulary: Int?) throws {
        guard case .string(let archName)? = metadata("general.architecture") else {
            throw ModelError.missingMetadata(key: "general.architecture")
        }
        guard let arch = Architecture(rawValue: archName) else { throw ModelError.unsupportedArchitecture(archName) }
        func int(_ key: String) throws -> Int? {
            switch metadata("\(archName).\(key)") {
            case nil: return nil
            case .int(let v)?: return v
            case .float(let v)? where v == v.rounded(): return Int(v)
            default: throw ModelError.invalidMetadata(key: "\(archName).\(key)", reason: "expected an integer")
            }
        }
        func required(_ key: String) throws -> Int {
            guard let v = try int(key) else { throw ModelError.missingMetadata(key: "\(archName).\(key)") }
            return v
        }
        func float(_ key: String) throws -> Float? {
            switch metadata("\(archName).\(key)") {
            case nil: return nil
            case .float(let v)?: return Float(v)
            case .int(let v)?: return Float(v)
            default: throw ModelError.invalidMetadata(key: "\(archName).\(key)", reason: "expected a number")
            }
        }
        let nHead = try required("attention.head_count")
        guard let vocab = try int("vocab_size") ?? fallbackVocabulary else {
            throw ModelError.missingMetadata(key: "\(archName).vocab_size")
        }
        self.init(
            architecture: arch, nLayer: try required("block_count"), dim: try required("embedding_length"),
            ffnDim: try required("feed_forward_length"), nHead: nHead,
            nKVHead: try int("attention.head_count_kv") ?? nHead, headDim: try int("attention.key_length"),
            normEps: try float("attention.layer_norm_rms_epsilon") ?? 1e-5,
            ropeBase: try float("rope.freq_base") ?? 10000, ropeDims: try int("rope.dimension_count"),
            contextLength: try int("context_length") ?? 2048, vocabularySize: vocab)
    }

    /// Width of the keys and values of one token in one layer.
    public var kvDim: Int { nKVHead * headDim }
    /// Width of the queries of one token.
    public var qDim: Int { nHead * headDim }
    /// Query heads sharing one KV head.
    public var groupSize: Int { nKVHead > 0 ? nHead / nKVHead : 0 }
    /// NeoX RoPE rotates pairs (i, i + n/2); Llama rotates (2i, 2i + 1).
    public var ropeIsNeoX: Bool { architecture != .llama }
    /// Qwen2 adds biases to q, k and v.
    public var hasQKVBias: Bool { architecture == .qwen2 }
    /// Qwen3 normalises each head of q and k.
    public var hasQKNorm: Bool { architecture == .qwen3 }

    /// Checks the values are positive and consistent; throws the first problem found.
    public func validate() throws {
        let prefix = architecture.rawValue
        for (key, value) in [("block_count", nLayer), ("embedding_length", dim), ("feed_forward_length", ffnDim),
                             ("attention.head_count", nHead), ("attention.head_count_kv", nKVHead),
                             ("attention.key_length", headDim), ("context_length", contextLength),
                             ("vocab_size", vocabularySize)] where value <= 0 {
            throw ModelError.invalidMetadata(key: "\(prefix).\(key)", reason: "must be positive, found \(value)")
        }
        if nHead % nKVHead != 0 {
            throw ModelError.invalidMetadata(key: "\(prefix).attention.head_count_kv",
                                             reason: "\(nKVHead) does not divide the head count \(nHead)")
        }
        if headDim % 2 != 0 || headDim > 512 {
            throw ModelError.invalidMetadata(key: "\(prefix).attention.key_length", reason: "must be even and at most 512, found \(headDim)")
        }
        if ropeDims <= 0 || ropeDims > headDim || ropeDims % 2 != 0 {
            throw ModelError.invalidMetadata(key: "\(prefix).rope.dimension_count", reason: "must be even and at most the head size \(headDim), found \(ropeDims)")
        }
        if !(normEps > 0) { throw ModelError.invalidMetadata(key: "\(prefix).attention.layer_norm_rms_epsilon", reason: "must be positive") }
        if !(ropeBase > 0) { throw ModelError.invalidMetadata(key: "\(prefix).rope.freq_base", reason: "must be positive") }
    }
}
