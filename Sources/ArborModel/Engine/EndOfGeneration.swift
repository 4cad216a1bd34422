/// Token ids that end a generation, found the way llama.cpp finds them: the ids the
/// metadata names (`tokenizer.ggml.eos_token_id`, `eot_token_id`, `eom_token_id`) and
/// tokens whose text is a known end-of-turn marker.
public enum EndOfGeneration {
    static let markerTexts: Set<String> = ["<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end_of_text|>", "<end_of_turn>", "<|end|>"]

    public static func tokens(in file: GGUFFile) -> Set<Int32> {
        var ids = Set<Int32>()
        for key in ["tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"] {
            if let v = file.metadata[key]?.int64Value { ids.insert(Int32(v)) }
        }
        if let tokens = file.metadata["tokenizer.ggml.tokens"]?.arrayValue?.stringValues {
            for (i, text) in tokens.enumerated() where markerTexts.contains(text) { ids.insert(Int32(i)) }
        }
        return ids
    }
}
