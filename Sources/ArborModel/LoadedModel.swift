/// A model file opened for decoding: the GGUF mapping, its tokenizer, its chat template and
/// its configuration, read once. Each run makes its own ``Transformer`` over the same
/// weights (the transformer holds the KV cache).
///
/// ```swift
/// let model = try LoadedModel(path: "models/SmolLM2-135M-Instruct.Q4_1.gguf")
/// let transformer = try model.transformer(threads: 2, contextSlots: 4096)
/// let ids = model.tokenizer.encode("Hello", parseSpecial: false)
/// ```
public struct LoadedModel: Sendable {
    public let path: String
    public let file: GGUFFile
    public let tokenizer: BPETokenizer
    public let config: ModelConfig
    private let template: Result<ChatTemplate, any Error>

    /// The file's chat template; throws when it has none, or one of a family not supported.
    public var chatTemplate: ChatTemplate {
        get throws { try template.get() }
    }

    public init(path: String) throws {
        self.path = path
        let file = try GGUFFile(path: path)
        self.file = file
        tokenizer = try BPETokenizer(gguf: file)
        template = Result { try ChatTemplate(gguf: file) }
        config = try ModelConfig(file: file)
    }

    /// A transformer over the file's weights with a KV cache of `contextSlots` tokens, never
    /// more than the model's context length (the model's full context when nil).
    public func transformer(threads: Int = 2, contextSlots: Int? = nil) throws -> Transformer {
        try Transformer(file: file, threads: threads, contextSlots: min(contextSlots ?? config.contextLength, config.contextLength))
    }
}

/// Model files opened once per path and kept: opening maps the file and reads its tokenizer,
/// which a second case or tool call should not pay again.
public actor LoadedModelCache {
    private var models: [String: LoadedModel] = [:]

    public init() {}

    /// The model at `path`, opened on first use.
    public func model(at path: String) throws -> LoadedModel {
        if let model = models[path] { return model }
        let model = try LoadedModel(path: path)
        models[path] = model
        return model
    }
}
