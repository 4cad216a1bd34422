import ArborModel
import ArborRecording
import ArborRuntime
import ArborSchema
import ArborSpec
import ArborStore
import ArborTools
import Dispatch
import Foundation

/// A long job over many summary rounds: does the working memory
/// follow a sawtooth, and does decoding speed stay flat from round to round?
///
/// One run of a workflow built in code (a calculator, tasks at most two levels deep, short
/// texts, a round budget) with ``RunOptions/minimumTokens`` set, so that the model cannot
/// answer before the run has written that many tree tokens: every round below it decodes
/// under the open-ended tree grammar and ends with a summary at its budget. The run is
/// recorded to a real SQLite file (``StoreRecorder``), as any run is; the store's time is
/// part of the job.
///
/// For each round it keeps the ``RoundRecord`` (tokens, peak KV, decode seconds) and the
/// tokens written after the round's last top-level task began — that task and the summary
/// (or answer) after it. A round ends at the top-level boundary where one more task as large as
/// the largest so far, and the summary, could pass its budget, so its peak KV stays within
/// `budget + prompt` unless its last task outgrew every earlier one; even then it passes by at
/// most those tokens: ``Round/endAllowance``.
///
/// ```swift
/// let bench = try LongJobBenchmark(modelPath: "models/SmolLM2-135M-Instruct.Q4_1.gguf", threads: 2)
/// let result = try await bench.run(.init(minimumTokens: 5000, roundBudget: 1024)) { round in
///     print(round.record.number, round.record.tokensPerSecond)
/// }
/// print(result.treeTokens, result.kvWithinBudget)
/// ```
public final class LongJobBenchmark {
    /// What the run does.
    public struct Configuration: Sendable, Equatable {
        /// Tree tokens before the model may answer (``RunOptions/minimumTokens``).
        public var minimumTokens: Int
        /// `limits.round_budget`: kept tree tokens past which a round ends with a summary.
        public var roundBudget: Int
        /// `limits.max_text_length` of thoughts, conclusions and summaries.
        public var maxTextLength: Int
        /// `limits.max_depth` (2: top-level tasks may have one level of subtasks, pruned when done).
        public var maxDepth: Int
        /// How the model samples; greedy with a repetition penalty keeps the texts moving.
        public var sampling: SamplerSettings
        /// The SQLite file the run is recorded to (kept); nil records to a file in a temporary
        /// folder that is deleted afterwards.
        public var databasePath: String?
        /// Whether to record at all (off measures decoding alone).
        public var recordsToStore: Bool

        public init(minimumTokens: Int, roundBudget: Int = 1024, maxTextLength: Int = 160, maxDepth: Int = 2,
                    sampling: SamplerSettings = LongJobBenchmark.defaultSampling, databasePath: String? = nil,
                    recordsToStore: Bool = true) {
            self.minimumTokens = minimumTokens
            self.roundBudget = roundBudget
            self.maxTextLength = maxTextLength
            self.maxDepth = maxDepth
            self.sampling = sampling
            self.databasePath = databasePath
            self.recordsToStore = recordsToStore
        }

        /// Enough rounds to reach the minimum even when rounds come out short (a full
        /// reasoning list ends a round early), within the spec's limit of 1000.
        var maxRounds: Int { min(1000, 2 * (minimumTokens / roundBudget) + 4) }
    }

    /// Greedy, with a repetition penalty of 1.3 over the last 64 sampled tokens.
    public static let defaultSampling = SamplerSettings(temperature: 0, topK: 1, topP: 1, minP: 0, repetitionPenalty: 1.3)

    /// One round's figures.
    public struct Round: Sendable, Equatable {
        public var record: RoundRecord
        /// Tokens written from the start of the round's last top-level task to its end: that
        /// task, and the summary (or the answer) after it.
        public var endAllowance: Int
        /// Tokens of the summary text; 0 for the round that answered.
        public var summaryTokens: Int
        /// Round budget plus the round's whole prompt: the bound on peak KV.
        public var kvBudget: Int

        /// Whether peak KV stayed within ``kvBudget``.
        public var withinBudget: Bool { record.peakKVSlots <= kvBudget }
        /// Whether peak KV stayed within ``kvBudget`` plus the round's end: what the runtime
        /// guarantees even when the round's last task outgrew every earlier one.
        public var withinBudgetAndEnd: Bool { record.peakKVSlots <= kvBudget + endAllowance }
    }

    /// Per-round tokens/s over the rounds that ended with a summary after the first (the
    /// first warms the grammar's mask cache; the answering round is a partial one).
    public struct RateSpread: Sendable, Equatable {
        public var minimum: Double
        public var maximum: Double
        public var mean: Double
        public var rounds: Int
        public var ratio: Double { minimum > 0 ? maximum / minimum : 0 }
    }

    /// The whole run.
    public struct Result: Sendable {
        public var configuration: Configuration
        public var rounds: [Round]
        /// The answer, valid against the output schema.
        public var output: JSONValue
        public var metrics: RunMetrics
        public var wallSeconds: Double
        /// The run's id in the store (nil when not recorded).
        public var runID: String?
        /// The SQLite file, when kept, and its size once the run was committed (nil when not recorded).
        public var databasePath: String?
        public var databaseBytes: Int?

        public var treeTokens: Int { metrics.treeTokens }
        public var peakKVSlots: Int { rounds.map(\.record.peakKVSlots).max() ?? 0 }
        /// The most any round's peak KV passed its budget plus prompt (negative: the least room left).
        public var largestOvershoot: Int { rounds.map { $0.record.peakKVSlots - $0.kvBudget }.max() ?? 0 }
        public var kvWithinBudget: Bool { rounds.allSatisfy(\.withinBudget) }
        public var kvWithinBudgetAndEnd: Bool { rounds.allSatisfy(\.withinBudgetAndEnd) }

        public var rateSpread: RateSpread? {
            var measured = rounds.dropLast().filter { $0.record.summary != nil }
            if measured.count > 1 { measured.removeFirst() }
            let rates = measured.map(\.record.tokensPerSecond)
            guard let low = rates.min(), let high = rates.max() else { return nil }
            return RateSpread(minimum: low, maximum: high, mean: rates.reduce(0, +) / Double(rates.count), rounds: rates.count)
        }
    }

    public let modelPath: String
    public let threads: Int
    private let model: Transformer
    private let tokenizer: BPETokenizer
    private let chatTemplate: ChatTemplate
    private let contextSlots: Int

    /// Loads the model; its context length bounds the working memory of a round.
    public init(modelPath: String, threads: Int = 2) throws {
        let loaded = try LoadedModel(path: modelPath)
        tokenizer = loaded.tokenizer
        chatTemplate = try loaded.chatTemplate
        contextSlots = loaded.config.contextLength
        model = try loaded.transformer(threads: threads)
        self.modelPath = modelPath
        self.threads = threads
    }

    /// Runs the job; `onRound` sees each round as it ends.
    public func run(_ configuration: Configuration, onRound: ((Round) -> Void)? = nil) async throws -> Result {
        precondition(configuration.minimumTokens >= 0 && configuration.roundBudget >= 64)
        let workflow = try Self.workflow(yaml(configuration))
        let inputs: JSONObject = ["start": 7]
        var options = RunOptions(sampling: configuration.sampling)
        options.minimumTokens = configuration.minimumTokens
        let toolBox = try await ToolBox(workflow: workflow)
        let runner = WorkflowRunner(workflow: workflow, model: model, tokenizer: tokenizer, chatTemplate: chatTemplate,
                                    tools: toolBox, options: options)

        var folder: URL?
        var store: StoreRecorder?
        var runID: String?
        var path = configuration.databasePath
        if configuration.recordsToStore {
            if path == nil {
                let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-long-job-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
                folder = temporary
                path = temporary.appendingPathComponent("runs.sqlite").path
            }
            let runStore = try RunStore(path: path!)
            let id = "long-job-\(UUID().uuidString.prefix(8).lowercased())"
            try runStore.createRun(try Run.recording(id: id, workflowName: workflow.name, specText: yaml(configuration),
                                                     inputs: inputs, modelPath: modelPath, options: options))
            store = StoreRecorder(store: runStore, runID: id)
            runID = id
        }
        defer { if let folder { try? FileManager.default.removeItem(at: folder) } }

        let watcher = RoundWatcher(inner: store)
        var rounds: [Round] = []
        watcher.onRound = { [tokenizer] record, endAllowance in
            let round = Round(record: record, endAllowance: endAllowance,
                              summaryTokens: record.summary.map { tokenizer.encode($0, parseSpecial: false).count } ?? 0,
                              kvBudget: configuration.roundBudget + record.promptLength)
            rounds.append(round)
            onRound?(round)
        }
        runner.recorder = watcher
        let start = DispatchTime.now()
        let report = try await runner.run(inputs: inputs)
        try store?.commit()
        if let store { try store.store.finishRun(store.runID, outputJSON: report.output.compactString) }
        let wallSeconds = seconds(since: start)
        await toolBox.shutdown()
        let bytes = path.flatMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }
        return Result(configuration: configuration, rounds: rounds, output: report.output, metrics: report.metrics,
                      wallSeconds: wallSeconds, runID: runID, databasePath: folder == nil ? path : nil,
                      databaseBytes: configuration.recordsToStore ? bytes : nil)
    }

    /// The workflow: arithmetic exercises, one top-level task each, checked with the calculator.
    func yaml(_ configuration: Configuration) -> String {
        let maxTokens = 8 * configuration.roundBudget + 16 * configuration.maxTextLength
        return """
            arbor: 1
            name: bench-long-job
            model:
              context_size: \(contextSlots)
            instructions: |
              Work through a long series of arithmetic exercises, starting from the number {{start}}.
              Each top-level task is one exercise: choose two numbers, check the result with the
              calculator, and say what you learned. Split an exercise into subtasks when it has steps.
            inputs:
              start: int
            tools:
              - name: calculator
                builtin: calculator
            output:
              exercises: int
              last_result: float
            limits:
              max_depth: \(configuration.maxDepth)
              max_breadth: 256
              max_tool_calls: 256
              max_text_length: \(configuration.maxTextLength)
              max_tokens: \(maxTokens)
              round_budget: \(configuration.roundBudget)
              max_rounds: \(configuration.maxRounds)
              prune_buffer: 2
            """
    }

    private static func workflow(_ yaml: String) throws -> Workflow {
        let (workflow, diagnostics) = WorkflowLoader.load(text: yaml, file: "<long-job benchmark>")
        guard let workflow, !diagnostics.contains(where: { $0.severity == .error }) else {
            throw SpecError.invalid(diagnostics: diagnostics.filter { $0.severity == .error })
        }
        return workflow
    }
}

/// Passes everything on to the store and watches each round's tokens: where its last
/// top-level task began, and when it ended.
private final class RoundWatcher: RunRecorder {
    let inner: StoreRecorder?
    var onRound: ((RoundRecord, Int) -> Void)?
    /// Tree tokens of the current round, and the count when its last top-level task began.
    private var roundTokens = 0
    private var lastTaskStart = 0
    private var lastTopLevelIndex: Int?

    init(inner: StoreRecorder?) {
        self.inner = inner
    }

    func appended(_ tokens: [Int32], kind: TokenKind, firstSeq: Int, taskPath: NodePath?, round: Int) throws {
        try inner?.appended(tokens, kind: kind, firstSeq: firstSeq, taskPath: taskPath, round: round)
        guard kind != .prompt else { return }
        if let top = taskPath?.components[0], top != lastTopLevelIndex {
            lastTopLevelIndex = top
            lastTaskStart = roundTokens
        }
        roundTokens += tokens.count
    }

    func pruned(seqs: Range<Int>) throws { try inner?.pruned(seqs: seqs) }

    var keepsKVRows: Bool { inner?.keepsKVRows ?? false }

    func kvRowsComputed(firstSeq: Int, slots: [Int32], from model: any KVRowTransfer) throws {
        try inner?.kvRowsComputed(firstSeq: firstSeq, slots: slots, from: model)
    }

    func kvRowsReleased(seqs: Range<Int>) throws { try inner?.kvRowsReleased(seqs: seqs) }

    func taskFinished(_ task: TaskRecord, round: Int) throws { try inner?.taskFinished(task, round: round) }

    func toolCallStarted(index: Int, name: String, arguments: JSONValue, taskPath: NodePath?, tokenSeq: Int) throws {
        try inner?.toolCallStarted(index: index, name: name, arguments: arguments, taskPath: taskPath, tokenSeq: tokenSeq)
    }

    func toolCallFinished(index: Int, outcome: ToolOutcome) throws { try inner?.toolCallFinished(index: index, outcome: outcome) }

    func roundFinished(_ round: RoundRecord) throws {
        try inner?.roundFinished(round)
        onRound?(round, roundTokens - lastTaskStart)
        roundTokens = 0
        lastTaskStart = 0
        lastTopLevelIndex = nil
    }
}
