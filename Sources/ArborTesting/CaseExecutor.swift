import ArborSchema
import ArborSpec
import ArborTools

/// What runs one test case's workflow: the model under the workflow's grammar, with its tool
/// calls going through `tools` (fixtures and cassettes in replay, the live tools while
/// recording). The runner's executor is ``WorkflowCaseExecutor``; tests use scripted ones.
public protocol CaseExecutor: Sendable {
    /// Runs `testCase` on `workflow` with its inputs resolved (defaults filled in).
    func execute(_ testCase: TestCase, workflow: Workflow, inputs: JSONObject, tools: any ToolInvoking) async throws -> CaseExecution
}

/// What a test run produced, for the assertions.
public struct CaseExecution: Sendable, Equatable {
    /// The final answer.
    public var output: JSONValue
    /// Every tool call in the order made.
    public var toolCalls: [ToolOutcome]
    public var metrics: CaseMetrics
    /// The whole reasoning tree, when the executor keeps it.
    public var reasoning: JSONValue?

    public init(output: JSONValue, toolCalls: [ToolOutcome] = [], metrics: CaseMetrics = CaseMetrics(), reasoning: JSONValue? = nil) {
        self.output = output
        self.toolCalls = toolCalls
        self.metrics = metrics
        self.reasoning = reasoning
    }

    /// The run as the JSON a `command:` assertion reads on stdin and `--json` reports.
    public var json: JSONValue {
        var object: JSONObject = ["output": output, "tool_calls": .array(toolCalls.map(Self.json(of:))), "metrics": metrics.json]
        if let reasoning { object["reasoning"] = reasoning }
        return .object(object)
    }

    static func json(of call: ToolOutcome) -> JSONValue {
        var object: JSONObject = ["tool": .string(call.tool), "arguments": call.arguments]
        switch call.result {
        case .success(let value): object["result"] = value
        case .failure(let error): object["error"] = .string(error.description)
        }
        return .object(object)
    }
}

/// The figures of one run that `limits:` assertions bound and reports show.
public struct CaseMetrics: Sendable, Equatable {
    public var promptTokens: Int
    /// Tokens the model sampled.
    public var generatedTokens: Int
    /// Tokens the grammar forced (jump-forward), not sampled.
    public var forcedTokens: Int
    public var toolResultTokens: Int
    /// The most KV-cache slots in use at one time.
    public var peakKVSlots: Int
    public var prunedTokens: Int
    public var toolCalls: Int
    public var decodeSeconds: Double
    /// The rounds the token limit closed early (empty when the run finished on its own).
    public var roundsClosedAtTokenLimit: [Int]

    public init(promptTokens: Int = 0, generatedTokens: Int = 0, forcedTokens: Int = 0, toolResultTokens: Int = 0,
                peakKVSlots: Int = 0, prunedTokens: Int = 0, toolCalls: Int = 0, decodeSeconds: Double = 0,
                roundsClosedAtTokenLimit: [Int] = []) {
        self.promptTokens = promptTokens
        self.generatedTokens = generatedTokens
        self.forcedTokens = forcedTokens
        self.toolResultTokens = toolResultTokens
        self.peakKVSlots = peakKVSlots
        self.prunedTokens = prunedTokens
        self.toolCalls = toolCalls
        self.decodeSeconds = decodeSeconds
        self.roundsClosedAtTokenLimit = roundsClosedAtTokenLimit
    }

    public var json: JSONValue {
        ["prompt_tokens": .integer(Int64(promptTokens)), "generated_tokens": .integer(Int64(generatedTokens)),
         "forced_tokens": .integer(Int64(forcedTokens)), "tool_result_tokens": .integer(Int64(toolResultTokens)),
         "kv_peak": .integer(Int64(peakKVSlots)), "pruned_tokens": .integer(Int64(prunedTokens)),
         "tool_calls": .integer(Int64(toolCalls)), "decode_seconds": .number(decodeSeconds),
         "rounds_closed_at_token_limit": .array(roundsClosedAtTokenLimit.map { .integer(Int64($0)) })]
    }
}
