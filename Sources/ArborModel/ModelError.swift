/// Errors of the inference engine: a model that cannot be loaded or run, or a call that
/// breaks the cache's preconditions. Each case says where and what to do.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A metadata key the architecture needs is missing from the GGUF file.
    case missingMetadata(key: String)
    /// A metadata value is present but unusable.
    case invalidMetadata(key: String, reason: String)
    /// The file's `general.architecture` is not one this engine runs.
    case unsupportedArchitecture(String)
    /// A tensor the architecture needs is missing.
    case missingTensor(name: String)
    /// A tensor has a shape other than the configuration implies.
    case tensorShape(name: String, expected: [Int], found: [Int])
    /// A tensor is stored in a type the kernels cannot compute with.
    case unsupportedTensorType(name: String, type: Int)
    /// The KV slot pool has no free slot left.
    case cacheFull(capacity: Int)
    /// A token id outside the vocabulary.
    case tokenOutOfRange(token: Int32, vocabularySize: Int)
    /// Tokens and positions of a prefill call differ in count.
    case positionsMismatch(tokens: Int, positions: Int)
    /// The kernel thread pool could not be started.
    case threadPool(threads: Int)
    /// KV rows handed back to the cache do not have the size of the tokens they are for.
    case kvRowsMismatch(bytes: Int, tokens: Int, rowBytes: Int)

    public var description: String {
        switch self {
        case .missingMetadata(let key):
            return "The model file has no metadata key '\(key)'; it is not a complete GGUF model of a supported architecture."
        case .invalidMetadata(let key, let reason):
            return "The model metadata '\(key)' is invalid: \(reason)."
        case .unsupportedArchitecture(let arch):
            return "The architecture '\(arch)' is not supported; use a llama, qwen2 or qwen3 GGUF model."
        case .missingTensor(let name):
            return "The model file has no tensor '\(name)'; the file is incomplete or of another architecture."
        case .tensorShape(let name, let expected, let found):
            return "Tensor '\(name)' has shape \(found) but the model configuration implies \(expected); the metadata and weights disagree."
        case .unsupportedTensorType(let name, let type):
            return "Tensor '\(name)' is stored as GGML type \(type), which this engine cannot compute with; use a model quantised as F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q8_0, Q4_K, Q5_K or Q6_K."
        case .cacheFull(let capacity):
            return "The KV cache is full (\(capacity) slots); free slots or create the model with a larger context."
        case .tokenOutOfRange(let token, let vocabularySize):
            return "Token id \(token) is outside the vocabulary of \(vocabularySize) tokens."
        case .positionsMismatch(let tokens, let positions):
            return "Prefill got \(tokens) tokens but \(positions) positions; pass one position per token."
        case .threadPool(let threads):
            return "Could not start \(threads) kernel threads; try fewer threads."
        case .kvRowsMismatch(let bytes, let tokens, let rowBytes):
            return "Got \(bytes) bytes of KV rows for \(tokens) tokens, but a token's rows take \(rowBytes) bytes; the rows were saved by another model."
        }
    }
}
