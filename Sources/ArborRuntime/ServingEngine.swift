/// A serving engine a run decodes through instead of the in-process model: which kind of
/// server, where, and which model it serves. Recorded with the run's options, so that
/// `arbor resume` goes back to the same server (or to `--backend`, when given).
///
/// ```swift
/// let engine = ServingEngine(kind: .llamaServer, url: "http://127.0.0.1:8080")
/// ```
public struct ServingEngine: Codable, Sendable, Equatable {
    /// The server's API family.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// llama.cpp's `llama-server` (`/completion`, GBNF in `grammar`).
        case llamaServer = "llama-server"
        /// vLLM's OpenAI-compatible server (`/v1/completions`, GBNF in `structured_outputs.grammar`).
        case vllm
        /// SGLang's native server (`/generate`, GBNF in `sampling_params.ebnf`).
        case sglang
    }

    public var kind: Kind
    /// The server's base URL, e.g. `http://127.0.0.1:8080`.
    public var url: String
    /// The model name the server expects in requests (vLLM, SGLang); nil for llama-server.
    public var model: String?
    /// The environment variable holding the API key sent as a bearer token (the key itself
    /// is never recorded).
    public var apiKeyVariable: String?

    public init(kind: Kind, url: String, model: String? = nil, apiKeyVariable: String? = nil) {
        self.kind = kind
        self.url = url
        self.model = model
        self.apiKeyVariable = apiKeyVariable
    }
}
