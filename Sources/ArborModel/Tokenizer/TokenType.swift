/// How a vocabulary entry behaves, from GGUF's `tokenizer.ggml.token_type` (llama.cpp's
/// `llama_token_type`).
///
/// Control, user-defined and unknown tokens are "special": their text is matched in the input
/// before BPE (control and unknown ones only when special parsing is on), and they decode to
/// their text verbatim rather than through the byte mapping.
public enum TokenType: Int32, Sendable {
    case undefined = 0
    case normal = 1
    case unknown = 2
    case control = 3
    case userDefined = 4
    case unused = 5
    case byte = 6

    /// Whether the token's text is matched in the input before BPE.
    public var isSpecial: Bool { self == .control || self == .userDefined || self == .unknown }
}
