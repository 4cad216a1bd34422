/// Why a tokenizer or chat template could not be built from a model's metadata.
public enum TokenizerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `tokenizer.ggml.model` names a tokenizer family Arbor does not implement.
    case unsupportedModel(String)
    /// `tokenizer.ggml.pre` names a pre-tokenizer split Arbor does not implement.
    case unsupportedPreTokenizer(String)
    /// A required tokenizer key is missing or malformed.
    case invalidMetadata(key: String, reason: String)
    /// The model's `tokenizer.chat_template` is not a family Arbor recognises.
    case unknownChatTemplate(excerpt: String)
    /// `ChatTemplate.named(_:)` was given a name it does not know.
    case unknownChatTemplateName(String)
    /// The model has no chat template and none was named.
    case missingChatTemplate

    public var description: String {
        switch self {
        case .unsupportedModel(let name):
            return "The model's tokenizer type \"\(name)\" is not supported; Arbor supports byte-level BPE (\"gpt2\") tokenizers such as SmolLM2's and Qwen's."
        case .unsupportedPreTokenizer(let name):
            return "The model's pre-tokenizer \"\(name)\" (tokenizer.ggml.pre) is not supported; supported: smollm, starcoder, qwen2, deepseek-r1-qwen, stablelm2, gpt-2."
        case .invalidMetadata(let key, let reason):
            return "The model's tokenizer metadata \(key) is invalid: \(reason)."
        case .unknownChatTemplate(let excerpt):
            return "The model's chat template is not one Arbor recognises (it starts \"\(excerpt)\"). Pass a known template explicitly, e.g. `--chat-template chatml` (ChatTemplate.named(\"chatml\"))."
        case .unknownChatTemplateName(let name):
            return "Unknown chat template name \"\(name)\"; known names: \(ChatTemplate.knownNames.joined(separator: ", "))."
        case .missingChatTemplate:
            return "The model has no tokenizer.chat_template; pass one explicitly, e.g. `--chat-template chatml` (ChatTemplate.named(\"chatml\"))."
        }
    }
}
