/// Loading a transformer straight from a GGUF file: the configuration from its metadata,
/// the weights as views into its mapping.
extension ModelConfig {
    /// Reads `<arch>.*` hyper-parameters; the vocabulary size comes from `<arch>.vocab_size`,
    /// else the tokenizer's token list, else `token_embd.weight`'s row count.
    public init(file: GGUFFile) throws {
        let fallbackVocabulary = file.metadata["tokenizer.ggml.tokens"]?.arrayValue?.count
            ?? file.tensorInfo(named: "token_embd.weight").map { $0.dimensions.dropFirst().reduce(1, *) }
        try self.init(metadata: { key in
            switch file.metadata[key] {
            case nil: return nil
            case .string(let s)?: return .string(s)
            case .float32(let f)?: return .float(Double(f))
            case .float64(let f)?: return .float(f)
            case let value?:
                if let i = value.int64Value { return .int(Int(i)) }
                return .string("\(value)")
            }
        }, vocabularySize: fallbackVocabulary)
    }
}

extension Transformer {
    /// Opens a model file's weights in place (no copies) and builds the transformer.
    ///
    /// ```swift
    /// let model = try Transformer(file: GGUFFile(path: path), threads: 2)
    /// ```
    public convenience init(file: GGUFFile, threads: Int = 2, contextSlots: Int? = nil, maxBatch: Int = 32) throws {
        let config = try ModelConfig(file: file)
        try self.init(config: config, tensor: { name in
            guard let t = try? file.tensor(named: name) else { return nil }
            return TensorView(name: name, type: Int32(t.type.rawValue), shape: t.dimensions, data: t.data)
        }, weightOwner: file, threads: threads, contextSlots: contextSlots, maxBatch: maxBatch)
    }
}
