import ArborModel
import ArborSchema
import ArborSpec
import ArborTools
import Foundation

/// How a run decodes: sampling, pruning, tool-result budget.
public struct RunOptions: Codable, Sendable, Equatable {
    public var sampling: SamplerSettings
    /// Prune finished subtask lists from the KV cache (`--no-prune` turns it off).
    public var prune: Bool
    /// The most tokens one tool result may take; longer results are cut with a marker.
    public var toolResultTokenBudget: Int
    /// Overrides the workflow's `limits.max_tokens` when set.
    public var maxTokens: Int?
    /// The kernels' rounding variant the run decodes with; nil leaves the process's setting
    /// alone. A recorded run stores it so that a resume on another CPU replays the same tokens.
    public var numerics: LlamaCppNumerics?
    /// Tree tokens the run writes before it may answer (a long job; nil: answer any time).
    /// A round that starts below it decodes under the open-ended tree grammar
    /// (``ReasoningTreeSpec/isOpenEnded``): its `reasoning` list takes only more tasks until
    /// the round budget ends it with a summary (or, full at `max_breadth` tasks, it closes
    /// with one), never with an answer. It needs `limits.round_budget` and no `steps`; the
    /// last allowed round (`max_rounds`) answers whatever the count. The count is checked at
    /// round starts, so the run stops within one round past it.
    public var minimumTokens: Int?
    /// The serving engine the run decodes through; nil: the in-process model.
    public var servingEngine: ServingEngine?

    public init(sampling: SamplerSettings = .greedy, prune: Bool = true, toolResultTokenBudget: Int = 384,
                maxTokens: Int? = nil) {
        self.sampling = sampling
        self.prune = prune
        self.toolResultTokenBudget = toolResultTokenBudget
        self.maxTokens = maxTokens
    }

    /// A temperature from the command line: greedy (top-k 1) at 0, top-k 40 above.
    public mutating func setTemperature(_ temperature: Float) {
        sampling.temperature = temperature
        sampling.topK = temperature > 0 ? 40 : 1
    }

    /// The options as the run store keeps them (JSON text), and back.
    public var jsonText: String {
        String(decoding: (try? JSONEncoder().encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    public init(jsonText: String) throws {
        self = try JSONDecoder().decode(RunOptions.self, from: Data(jsonText.utf8))
    }

    /// Checks that the options fit `workflow`: ``minimumTokens`` needs summary rounds
    /// (`limits.round_budget`, `limits.max_rounds` of 2 or more) and no `steps`.
    public func check(for workflow: Workflow) throws(RuntimeError) {
        guard let minimumTokens, minimumTokens > 0 else { return }
        var missing: [String] = []
        if workflow.limits.roundBudget == nil { missing.append("it has no limits.round_budget") }
        if workflow.limits.maxRounds < 2 { missing.append("its limits.max_rounds is \(workflow.limits.maxRounds)") }
        if !workflow.steps.isEmpty { missing.append("it has steps, which fix the reasoning list") }
        if !missing.isEmpty { throw RuntimeError.minimumTokensUnsupported(workflow: workflow.name, reasons: missing) }
    }

    /// The workflow's own sampling settings (`model.sampling`), greedy unless it says otherwise,
    /// and the kernels' rounding variant now in effect (so a recorded run keeps it).
    public init(workflow: Workflow) {
        let sampling = workflow.model.sampling
        let penalty = Float(sampling.repetitionPenalty)
        let settings = sampling.temperature <= 0
            ? SamplerSettings(temperature: 0, topK: 1, topP: 1, minP: 0, repetitionPenalty: penalty, seed: sampling.seed)
            : SamplerSettings(temperature: Float(sampling.temperature), topK: sampling.topK, topP: Float(sampling.topP),
                              minP: 0, repetitionPenalty: penalty, seed: sampling.seed)
        self.init(sampling: settings)
        numerics = .current
    }
}

/// What a run did, in numbers.
public struct RunMetrics: Codable, Sendable, Equatable {
    public var promptTokens = 0
    /// Tokens chosen by the sampler.
    public var generatedTokens = 0
    /// Tokens fed by jump-forward.
    public var forcedTokens = 0
    /// Tokens of tool results.
    public var toolResultTokens = 0
    /// The most KV slots in use at once (prompt included).
    public var peakKVSlots = 0
    /// Tree tokens evicted from the KV cache.
    public var prunedTokens = 0
    public var toolCalls = 0
    /// Seconds spent waiting for tools.
    public var toolSeconds = 0.0
    /// Seconds spent in the model, the grammar and the sampler after the prompt.
    public var decodeSeconds = 0.0
    /// Seconds spent computing grammar masks (part of ``decodeSeconds``).
    public var maskSeconds = 0.0
    public var promptSeconds = 0.0
    /// Tokens whose KV rows a resume copied back from the record instead of computing them.
    public var restoredTokens = 0
    /// Whether the token limit closed a round: its tree was closed the shortest way and its
    /// answer (or summary) written in the tokens held in reserve, or cut short
    /// (``TokenLimitClosing``). Not a normal finish.
    public var closedAtTokenLimit = false

    public init() {}

    /// Adds a later round's figures (peak KV is the higher of the two).
    mutating func add(_ round: RunMetrics) {
        promptTokens += round.promptTokens
        generatedTokens += round.generatedTokens
        forcedTokens += round.forcedTokens
        toolResultTokens += round.toolResultTokens
        peakKVSlots = max(peakKVSlots, round.peakKVSlots)
        prunedTokens += round.prunedTokens
        toolCalls += round.toolCalls
        toolSeconds += round.toolSeconds
        decodeSeconds += round.decodeSeconds
        maskSeconds += round.maskSeconds
        promptSeconds += round.promptSeconds
        restoredTokens += round.restoredTokens
        closedAtTokenLimit = closedAtTokenLimit || round.closedAtTokenLimit
    }

    /// Tokens of the tree document: generated, forced and tool results.
    public var treeTokens: Int { generatedTokens + forcedTokens + toolResultTokens }
    /// The share of tree tokens evicted from the KV cache.
    public var prunedShare: Double { treeTokens == 0 ? 0 : Double(prunedTokens) / Double(treeTokens) }
    /// Tree tokens per second of decoding.
    public var tokensPerSecond: Double { decodeSeconds > 0 ? Double(treeTokens) / decodeSeconds : 0 }
}

/// A snapshot for the live status line.
public struct RunProgress: Sendable {
    public var metrics: RunMetrics
    /// KV slots in use now.
    public var liveKVSlots: Int
}

/// One finished task of the reasoning tree.
public struct TaskRecord: Codable, Sendable, Equatable {
    /// Where the task stands in the tree: `1.0` is the first subtask of the second task.
    public var path: NodePath
    public var thought: String
    public var conclusion: String
    public var toolName: String?

    public init(path: NodePath, thought: String, conclusion: String, toolName: String? = nil) {
        self.path = path
        self.thought = thought
        self.conclusion = conclusion
        self.toolName = toolName
    }

    /// The path as the store and `arbor fork --at` write it: `1.0` (zero-based).
    public var label: String { path.description }
}

/// The result of a run.
public struct RunReport: Sendable {
    /// The final answer, valid against the workflow's output schema.
    public var output: JSONValue
    /// The whole tree document: `{"reasoning": [...], "answer": ...}`.
    public var document: JSONValue
    /// Tasks in the order they finished (children before parents).
    public var tasks: [TaskRecord]
    /// Every tool call in order.
    public var toolCalls: [ToolOutcome]
    public var metrics: RunMetrics
    /// The rounds, with their summaries (one round when the workflow has no round budget).
    public var rounds: [RoundRecord] = []
    /// The rounds the token limit closed (``RunMetrics/closedAtTokenLimit``), by number.
    public var roundsClosedAtTokenLimit: [Int] = []

    /// Whether the token limit closed the answering (last) round: the answer is the
    /// model's within a small reserve, or the grammar's shortest completion, not its own end.
    public var answerClosedAtTokenLimit: Bool { roundsClosedAtTokenLimit.contains(max(rounds.count - 1, 0)) }
}
