import ArborSchema

/// One workflow: what a YAML file in `Workflows/` describes, after loading and checking.
///
/// Load one with ``WorkflowLoader``; every schema in it (inputs, output, tool parameters)
/// is already compiled from the shorthand to JSON Schema. The format is described in
/// `docs/workflow-format.md`.
///
/// ```swift
/// let (workflow, diagnostics) = WorkflowLoader.load(path: "Workflows/math-solver.yaml")
/// if let workflow, diagnostics.isEmpty {
///     print(workflow.instructions.render(["problem": "2+2"]))
///     print(workflow.outputSchema.prettyString)
/// }
/// ```
public struct Workflow: Codable, Sendable, Equatable {
    /// The format version, from the `arbor:` key; only 1 exists.
    public var version: Int
    public var name: String
    public var description: String?
    public var model: ModelSettings
    /// The typed inputs in the order written.
    public var inputs: [WorkflowInput]
    /// The JSON Schema of all inputs together: an object named `Inputs`.
    public var inputsSchema: JSONValue
    /// The task given to the model, with `{{input}}` placeholders.
    public var instructions: PromptTemplate
    /// The `types:` section as written (shorthand), for tools that want to show it.
    public var types: JSONObject
    public var servers: [MCPServer]
    public var tools: [Tool]
    /// The JSON Schema the final answer must satisfy.
    public var outputSchema: JSONValue
    public var limits: Limits
    /// The optional fixed top-level steps of the reasoning tree; empty for a free tree.
    public var steps: [Step]
    /// The `tests:` section, kept as written (a list of mappings) for `arbor test`.
    public var tests: [JSONValue]

    enum CodingKeys: String, CodingKey {
        case version = "arbor", name, description, model, inputs
        case inputsSchema = "inputs_schema", instructions, types, servers, tools
        case outputSchema = "output_schema", limits, steps, tests
    }

    public init(version: Int = 1, name: String, description: String? = nil, model: ModelSettings = ModelSettings(),
                inputs: [WorkflowInput] = [], inputsSchema: JSONValue = ["properties": [:], "title": "Inputs", "type": "object"],
                instructions: PromptTemplate, types: JSONObject = [:], servers: [MCPServer] = [], tools: [Tool] = [],
                outputSchema: JSONValue, limits: Limits = Limits(), steps: [Step] = [], tests: [JSONValue] = []) {
        self.version = version
        self.name = name
        self.description = description
        self.model = model
        self.inputs = inputs
        self.inputsSchema = inputsSchema
        self.instructions = instructions
        self.types = types
        self.servers = servers
        self.tools = tools
        self.outputSchema = outputSchema
        self.limits = limits
        self.steps = steps
        self.tests = tests
    }

    /// The tool called `name`, if any.
    public func tool(named name: String) -> Tool? {
        tools.first { $0.name == name }
    }

    /// The server called `name`, if any.
    public func server(named name: String) -> MCPServer? {
        servers.first { $0.name == name }
    }
}

/// One typed input of a workflow.
public struct WorkflowInput: Codable, Sendable, Equatable {
    public var name: String
    /// The input's JSON Schema (the property schema inside ``Workflow/inputsSchema``).
    public var schema: JSONValue
    public var description: String?
    /// The value used when the caller gives none; an input without one is required.
    public var defaultValue: JSONValue?

    enum CodingKeys: String, CodingKey {
        case name, schema, description
        case defaultValue = "default"
    }

    public init(name: String, schema: JSONValue, description: String? = nil, defaultValue: JSONValue? = nil) {
        self.name = name
        self.schema = schema
        self.description = description
        self.defaultValue = defaultValue
    }

    public var isRequired: Bool { defaultValue == nil }
}

/// Which model runs the workflow and how it samples.
public struct ModelSettings: Codable, Sendable, Equatable {
    /// A GGUF file (relative paths are relative to the workflow file); nil means Arbor's
    /// default model (`ARBOR_MODEL`, else `models/SmolLM2-135M-Instruct.Q4_1.gguf`).
    public var file: String?
    /// The context window in tokens.
    public var contextSize: Int
    /// What the model types; the run's tree (store, `inspect`, `--json`) is the same JSON
    /// reasoning tree either way.
    public var treeSyntax: TreeSyntax
    public var sampling: Sampling
    /// A serving engine to decode through instead of the in-process model (`backend:`,
    /// `url:`, …); nil: in-process.
    public var server: ModelServer?

    enum CodingKeys: String, CodingKey {
        case file
        case contextSize = "context_size"
        case treeSyntax = "tree_syntax"
        case sampling
        case server
    }

    public static let defaultContextSize = 4096

    /// The model file as a path: relative `file` values are relative to the directory of
    /// the workflow file; nil when the workflow uses the default model.
    ///
    /// ```swift
    /// ModelSettings(file: "m.gguf").resolvedFile(workflowPath: "/flows/a.yaml")  // "/flows/m.gguf"
    /// ```
    public func resolvedFile(workflowPath: String) -> String? {
        guard let file else { return nil }
        if file.hasPrefix("/") { return file }
        let directory = workflowPath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if directory.isEmpty { return workflowPath.hasPrefix("/") ? "/" + file : file }
        return directory + "/" + file
    }

    public init(file: String? = nil, contextSize: Int = ModelSettings.defaultContextSize, treeSyntax: TreeSyntax = .json,
                sampling: Sampling = Sampling()) {
        self.file = file
        self.contextSize = contextSize
        self.treeSyntax = treeSyntax
        self.sampling = sampling
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        file = try container.decodeIfPresent(String.self, forKey: .file)
        contextSize = try container.decode(Int.self, forKey: .contextSize)
        // written before the key existed: the JSON tree
        treeSyntax = try container.decodeIfPresent(TreeSyntax.self, forKey: .treeSyntax) ?? .json
        sampling = try container.decode(Sampling.self, forKey: .sampling)
        server = try container.decodeIfPresent(ModelServer.self, forKey: .server)
    }
}

/// A workflow's serving engine (`model: {backend: llama-server, url: …, api_key: ${KEY}}`).
///
/// ```yaml
/// model:
///   backend: vllm
///   url: http://gpu-box:8000
///   model: HuggingFaceTB/SmolLM2-135M-Instruct
///   api_key: ${VLLM_API_KEY}
///   tokenizer: ../models/SmolLM2-135M-Instruct.Q4_1.gguf
/// ```
public struct ModelServer: Codable, Sendable, Equatable {
    /// The server's API family: `llama-server`, `vllm` or `sglang`.
    public var backend: String
    public var url: String
    /// The model name the server expects in requests.
    public var model: String?
    /// The environment variable holding the API key (written `${NAME}` in the file).
    public var apiKeyVariable: String?
    /// The GGUF whose tokenizer and chat template the run uses (relative to the workflow file).
    public var tokenizer: String?

    public static let backends = ["llama-server", "vllm", "sglang"]

    public init(backend: String, url: String, model: String? = nil, apiKeyVariable: String? = nil, tokenizer: String? = nil) {
        self.backend = backend
        self.url = url
        self.model = model
        self.apiKeyVariable = apiKeyVariable
        self.tokenizer = tokenizer
    }
}

/// The surface a model writes its reasoning in (`model.tree_syntax`).
///
/// Each is decoded under a grammar and becomes the same reasoning tree.
/// - `json`: the tree itself, `{"reasoning": [{"thought": …, "tooluse": …}], "answer": …}`.
/// - `steps`: numbered prose steps with inline tool calls whose results the runtime writes in,
///   then the answer — how instruction models already write worked solutions:
///   ```text
///   Step 1: The pens cost <<8*7=56>> dollars.
///   Step 2: With the notebooks that is <<56+2*5=66>> dollars.
///   Answer: 66
///   ```
/// - `prose`: free prose, as the model writes in plain chat, asked exactly as in plain chat;
///   where it writes a calculation followed by `=` (`8 * 7 =`) the calculator writes the
///   result, and the last line is `Answer: …`:
///   ```text
///   Tom pays 8 * 7 = 56 dollars for the pens and 2 * 5 = 10 for the notebooks,
///   so 56 + 10 = 66 dollars in all.
///   Answer: 66
///   ```
///
/// Without `tree_syntax` a workflow gets ``default(tools:outputSchema:hasFixedSteps:hasRoundBudget:)``.
public enum TreeSyntax: String, Codable, Sendable, CaseIterable {
    case json
    case steps
    case prose

    /// `prose` where it is known to answer better than plain chat — a workflow with the
    /// built-in calculator whose output is one required number, without fixed steps or
    /// summary rounds (the shape of a word problem) — else `json`.
    public static func `default`(tools: [Tool], outputSchema: JSONValue, hasFixedSteps: Bool, hasRoundBudget: Bool) -> TreeSyntax {
        guard !hasFixedSteps, !hasRoundBudget, tools.contains(where: { $0.implementation == .builtin(.calculator) }),
              let properties = outputSchema.objectValue?["properties"]?.objectValue, properties.count == 1,
              let only = properties.first(where: { _ in true }), outputSchema.objectValue?["required"] == .array([.string(only.key)]),
              let type = only.value.objectValue?["type"]?.stringValue, type == "number" || type == "integer" else { return .json }
        return .prose
    }
}

/// Sampling settings; the defaults are greedy decoding, which makes runs reproducible.
public struct Sampling: Codable, Sendable, Equatable {
    /// 0 means greedy (always the most likely token).
    public var temperature: Double
    /// Nucleus sampling: keep the smallest set of tokens whose probability reaches this; 1 keeps all.
    public var topP: Double
    /// Keep only the k most likely tokens; 0 keeps all.
    public var topK: Int
    /// Penalty on tokens sampled in the recent past (1 is none); deterministic, so greedy
    /// runs stay reproducible.
    public var repetitionPenalty: Double
    /// The random seed; the same seed and settings give the same run.
    public var seed: UInt64

    enum CodingKeys: String, CodingKey {
        case temperature
        case topP = "top_p"
        case topK = "top_k"
        case repetitionPenalty = "repetition_penalty"
        case seed
    }

    public init(temperature: Double = 0, topP: Double = 1, topK: Int = 0, repetitionPenalty: Double = 1.1, seed: UInt64 = 0) {
        self.repetitionPenalty = repetitionPenalty
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.seed = seed
    }
}

/// Bounds on the reasoning tree and the run; the tree limits compile into the grammar, so
/// an over-limit tree cannot be decoded at all.
public struct Limits: Codable, Sendable, Equatable {
    /// The deepest nesting of `subtasks` (1: top-level tasks only).
    public var maxDepth: Int
    /// The most tool calls in one run.
    public var maxToolCalls: Int
    /// The most tasks in one `subtasks` list (and top-level tasks).
    public var maxBreadth: Int
    /// The most tree tokens (generated and forced) in one round; the whole run when it has no
    /// ``roundBudget``. Near it the runtime closes the tree and writes the answer in a reserve.
    public var maxTokens: Int
    /// Tokens per summary round; nil runs everything in one round.
    public var roundBudget: Int?
    /// The most summary rounds before the run must answer.
    public var maxRounds: Int
    /// How many finished subtask lists stay in the KV cache before the oldest is pruned.
    public var pruneBuffer: Int
    /// The most characters in one thought, conclusion or summary. Compiled into the grammar,
    /// so a model stuck repeating itself inside a string cannot run past it.
    public var maxTextLength: Int
    /// The most characters in a tool's string parameter whose schema sets no `maxLength`.
    /// Compiled into the grammar like ``maxTextLength``, so that a model writing one argument
    /// forever (an expression that never ends) stops and the call still closes.
    public var maxToolStringLength: Int

    enum CodingKeys: String, CodingKey {
        case maxDepth = "max_depth"
        case maxToolCalls = "max_tool_calls"
        case maxBreadth = "max_breadth"
        case maxTokens = "max_tokens"
        case roundBudget = "round_budget"
        case maxRounds = "max_rounds"
        case pruneBuffer = "prune_buffer"
        case maxTextLength = "max_text_length"
        case maxToolStringLength = "max_tool_string_length"
    }

    public static let defaultMaxToolStringLength = 512

    public init(maxDepth: Int = 4, maxToolCalls: Int = 32, maxBreadth: Int = 8, maxTokens: Int = 4096,
                roundBudget: Int? = nil, maxRounds: Int = 8, pruneBuffer: Int = 2, maxTextLength: Int = 600,
                maxToolStringLength: Int = Limits.defaultMaxToolStringLength) {
        self.maxTextLength = maxTextLength
        self.maxToolStringLength = maxToolStringLength
        self.maxDepth = maxDepth
        self.maxToolCalls = maxToolCalls
        self.maxBreadth = maxBreadth
        self.maxTokens = maxTokens
        self.roundBudget = roundBudget
        self.maxRounds = maxRounds
        self.pruneBuffer = pruneBuffer
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        maxDepth = try container.decode(Int.self, forKey: .maxDepth)
        maxToolCalls = try container.decode(Int.self, forKey: .maxToolCalls)
        maxBreadth = try container.decode(Int.self, forKey: .maxBreadth)
        maxTokens = try container.decode(Int.self, forKey: .maxTokens)
        roundBudget = try container.decodeIfPresent(Int.self, forKey: .roundBudget)
        maxRounds = try container.decode(Int.self, forKey: .maxRounds)
        pruneBuffer = try container.decode(Int.self, forKey: .pruneBuffer)
        maxTextLength = try container.decode(Int.self, forKey: .maxTextLength)
        maxToolStringLength = try container.decodeIfPresent(Int.self, forKey: .maxToolStringLength) ?? Self.defaultMaxToolStringLength
    }
}

/// One fixed top-level step of the reasoning tree.
public struct Step: Codable, Sendable, Equatable {
    public var name: String
    /// What the step must achieve, shown to the model as the step's task.
    public var goal: String
    /// The tools the step may call; nil allows all of the workflow's tools, `[]` none.
    public var tools: [String]?

    public init(name: String, goal: String, tools: [String]? = nil) {
        self.name = name
        self.goal = goal
        self.tools = tools
    }
}
