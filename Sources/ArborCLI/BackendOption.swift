import ArborModel
import ArborRemote
import ArborRuntime
import ArborSpec
import ArgumentParser
import Foundation

/// `--backend URL [--backend-kind K] [--backend-model NAME]`: decode through a serving
/// engine instead of the in-process model (the GGUF still gives the tokenizer and template).
struct BackendOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Decode through a serving engine at this URL (e.g. http://127.0.0.1:8080) instead of in-process; the GGUF given by --model (or the default) must be the model the server runs: its tokenizer is checked against the server's.",
                                            valueName: "URL"))
    var backend: String?

    @Option(name: .customLong("backend-kind"), help: ArgumentHelp("The server's API: llama-server (default), vllm or sglang.",
                                                                  valueName: "llama-server|vllm|sglang"))
    var backendKind: String?

    @Option(name: .customLong("backend-model"), help: "The model name the server expects in requests (vLLM, SGLang).")
    var backendModel: String?

    @Option(name: .customLong("backend-key-env"), help: "The environment variable holding the server's API key (sent as a bearer token, never recorded).")
    var backendKeyVariable: String?

    func validate() throws {
        if let backendKind, ServingEngine.Kind(rawValue: backendKind) == nil {
            throw ValidationError("--backend-kind must be llama-server, vllm or sglang, not '\(backendKind)'.")
        }
        if let backend, URL(string: backend)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            throw ValidationError("--backend must be an http:// or https:// URL, not '\(backend)'.")
        }
        if backend == nil && (backendKind != nil || backendModel != nil) {
            throw ValidationError("--backend-kind and --backend-model need --backend URL.")
        }
    }

    /// The engine the options name, or `recorded` (a resumed run's, or the workflow's
    /// `model.backend`) with the options' changes.
    func engine(recorded: ServingEngine? = nil) -> ServingEngine? {
        guard let url = backend ?? recorded?.url else { return nil }
        var engine = recorded ?? ServingEngine(kind: .llamaServer, url: url)
        engine.url = url
        if let backendKind, let kind = ServingEngine.Kind(rawValue: backendKind) { engine.kind = kind }
        if let backendModel { engine.model = backendModel }
        if let backendKeyVariable { engine.apiKeyVariable = backendKeyVariable }
        return engine
    }
}

extension ServingEngine {
    /// The workflow's `model.backend` settings as an engine (the spec checker has vetted them).
    init?(_ server: ModelServer?) {
        guard let server, let kind = Kind(rawValue: server.backend) else { return nil }
        self.init(kind: kind, url: server.url, model: server.model, apiKeyVariable: server.apiKeyVariable)
    }
}
