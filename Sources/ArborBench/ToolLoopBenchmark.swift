import ArborGrammar
import ArborModel
import ArborRemote
import ArborRuntime
import ArborSchema
import ArborSpec
import ArborTools
import Dispatch

/// Tools inside the loop: a synthetic workflow that makes N tool calls, decoded three ways
/// — Arbor with pruning, Arbor without pruning, and the usual agent loop that stops at each
/// tool call, appends the result and prefills the whole conversation again.
///
/// The tree is steered so that every mode writes the same shape: `tasks` top-level tasks,
/// each with one subtask; the first `toolCalls` subtasks call `lookup`, which answers
/// instantly with a fixed-size result. The model writes every conclusion and the answer
/// (greedy). The steering text is forced through the grammar, the tree tracker, the KV cache
/// and the pruning buffer exactly as a recorded run's tokens are replayed. So that the model
/// cannot close a task and open the next in one token (`"},`), tokens with bytes after a `}`
/// are never sampled.
///
/// ```swift
/// let bench = try ToolLoopBenchmark(model: transformer, tokenizer: tokenizer, chatTemplate: template)
/// let arbor = try await bench.run(toolCalls: 30, tasks: 30, mode: .arbor)
/// let loop = try await bench.run(toolCalls: 30, tasks: 30, mode: .agentLoop)
/// print(arbor.tokensPerSecond / loop.tokensPerSecond, arbor.peakKVSlots)
/// ```
public final class ToolLoopBenchmark {
    /// How the tree is decoded.
    public enum Mode: String, CaseIterable, Codable, Sendable {
        /// One pass; finished subtask lists leave the KV cache.
        case arbor
        /// One pass; nothing is pruned.
        case arborNoPrune = "arbor-no-prune"
        /// No pruning, and after every tool result the cache is dropped and the prompt and the
        /// whole tree so far are prefilled again, as a client of a stateless serving API does.
        case agentLoop = "agent-loop"
    }

    /// What one decoding of the synthetic tree measured.
    public struct Result: Codable, Sendable, Equatable {
        public var mode: Mode
        public var tasks: Int
        public var toolCalls: Int
        public var promptTokens: Int
        /// Tokens of the tree document (generated, forced, tool results).
        public var treeTokens: Int
        public var generatedTokens: Int
        public var toolResultTokens: Int
        /// Every token the model computed (prefills and decodes, the prompt and re-prefills included).
        public var modelTokens: Int
        public var peakKVSlots: Int
        public var prunedTokens: Int
        /// Seconds from the first tree token to the end of the answer (tool time excluded; the
        /// lookup answers instantly).
        public var decodeSeconds: Double
        /// Seconds of the whole run, prompt included.
        public var wallSeconds: Double

        /// Tree tokens per second of decoding.
        public var tokensPerSecond: Double { decodeSeconds > 0 ? Double(treeTokens) / decodeSeconds : 0 }
        /// The share of tree tokens evicted from the KV cache.
        public var prunedShare: Double { treeTokens == 0 ? 0 : Double(prunedTokens) / Double(treeTokens) }
    }

    public let tokenizer: BPETokenizer
    public let chatTemplate: ChatTemplate
    /// Tokens of each lookup result.
    public let resultTokens: Int
    /// The most top-level tasks a run may have.
    public let maxTasks: Int
    private let model: ProcessedTokenCounter

    /// `resultTokens` is the size of every lookup result (the JSON text, in tokens). Every run
    /// uses one workflow whose limits allow `maxTasks` tasks and tool calls, so all runs share
    /// one compiled grammar and its mask cache.
    public init(model: any DecodingBackend, tokenizer: BPETokenizer, chatTemplate: ChatTemplate,
                resultTokens: Int = 48, maxTasks: Int = 64) {
        let closingEarly = (0..<Int32(model.vocabularySize)).filter { id in
            let bytes = tokenizer.tokenBytes(id)
            return bytes.dropLast().contains(UInt8(ascii: "}"))
        }
        if let remote = model as? RemoteBackend {
            // A server writes whole segments: it must never pick these tokens in the first place.
            remote.bannedTokens = closingEarly
            self.model = SegmentedTokenCounter(remote, bannedTokens: [])
        } else {
            self.model = ProcessedTokenCounter(model, bannedTokens: closingEarly)
        }
        self.tokenizer = tokenizer
        self.chatTemplate = chatTemplate
        self.resultTokens = resultTokens
        self.maxTasks = maxTasks
    }

    /// The synthetic workflow: one tool `lookup {key: str}`, depth 2, short texts, a boolean
    /// answer; room for `maxTasks` top-level tasks and as many tool calls.
    public static func workflow(maxTasks: Int) throws -> Workflow {
        let yaml = """
            arbor: 1
            name: tool-loop-benchmark
            model:
              context_size: 8192
            instructions: |
              Look up every item with the lookup tool and note in a few words what it holds.
            tools:
              - name: lookup
                description: The record stored under a key.
                parameters: {key: str}
                # Never launched: the benchmark answers lookups itself, instantly.
                command: [arbor-bench-lookup]
            output:
              done: bool
            limits:
              max_depth: 2
              max_breadth: \(maxTasks + 1)
              max_tool_calls: \(maxTasks)
              max_text_length: 48
              max_tokens: \(min(maxTasks * 200 + 200, 7800))
              prune_buffer: 2
            """
        let (workflow, diagnostics) = WorkflowLoader.load(text: yaml, file: "tool-loop-benchmark.yaml")
        let errors = diagnostics.filter { $0.severity == .error }
        guard let workflow, errors.isEmpty else {
            throw ToolLoopBenchmarkError.invalidWorkflow(errors.map { "\($0)" })
        }
        return workflow
    }

    /// Decodes the synthetic tree with `tasks` top-level tasks, the first `toolCalls` of which
    /// call the tool, in `mode`. The model's sequence is emptied first.
    public func run(toolCalls: Int, tasks: Int, mode: Mode) async throws -> Result {
        guard toolCalls >= 0, tasks >= max(toolCalls, 1), tasks <= maxTasks else {
            throw ToolLoopBenchmarkError.invalidSize(toolCalls: toolCalls, tasks: tasks, maxTasks: maxTasks)
        }
        let workflow = try Self.workflow(maxTasks: maxTasks)
        let parameters: JSONValue
        if case .schema(let schema) = workflow.tools[0].parameters { parameters = schema } else { parameters = ["type": "object"] }
        let lookup = FixedSizeLookup(parameters: parameters, results: lookupResults(count: toolCalls))
        var options = RunOptions(workflow: workflow)
        options.prune = mode == .arbor
        let runner = WorkflowRunner(workflow: workflow, model: model, tokenizer: tokenizer, chatTemplate: chatTemplate,
                                    tools: lookup, options: options)
        let holes = ToolHoles(tools: lookup)
        model.processedTokens = 0
        let start = DispatchTime.now()
        var round = try await runner.startFirstRound(inputs: [:])
        let treeStart = DispatchTime.now()
        for task in 1...tasks {
            let finished = round.tasks.count
            var text = (task == 1 ? #"{"reasoning":["# : ",") + #"{"thought":"Part \#(task).","subtasks":[{"thought":"#
            if task <= toolCalls {
                text += #""Look up item \#(task).","tooluse":{"tool_name":"lookup","parameters":{"key":"k\#(task)"},"tool_result":"#
            } else {
                text += #""Recall item \#(task).","conclusion":""#
            }
            try force(text, into: &round, task: task)
            if task <= toolCalls && mode == .agentLoop {
                let calls = round.toolCalls.count
                try await round.decode(filling: holes, until: { $0.toolCalls.count > calls })
                try expect(round.toolCalls.count > calls, task: task, "the tool was not called")
                try round.recomputeCache()
            }
            try await round.decode(filling: holes, until: { $0.tasks.count > finished })
            try expect(round.tasks.count > finished, task: task, "the subtask did not finish")
            try force(#"],"conclusion":""#, into: &round, task: task)
            try await round.decode(filling: holes, until: { $0.tasks.count > finished + 1 })
            try expect(round.tasks.count > finished + 1, task: task, "the task did not finish")
        }
        try force(#"],"answer":"#, into: &round, task: tasks)
        try await round.decode(filling: holes)
        let decodeSeconds = seconds(since: treeStart) - round.metrics.toolSeconds
        let report = try round.report(outputSchema: SchemaDocument(compiling: workflow.outputSchema))
        try expect(report.toolCalls.count == toolCalls, task: tasks, "\(report.toolCalls.count) tool calls instead of \(toolCalls)")
        let metrics = report.metrics
        return Result(mode: mode, tasks: tasks, toolCalls: report.toolCalls.count, promptTokens: round.metrics.promptTokens,
                      treeTokens: metrics.treeTokens, generatedTokens: metrics.generatedTokens,
                      toolResultTokens: metrics.toolResultTokens, modelTokens: model.processedTokens,
                      peakKVSlots: metrics.peakKVSlots, prunedTokens: metrics.prunedTokens,
                      decodeSeconds: decodeSeconds, wallSeconds: seconds(since: start))
    }

    /// Feeds `text` as forced tokens (the grammar must accept them).
    private func force(_ text: String, into round: inout TreeDecoder, task: Int) throws {
        let ids = tokenizer.encode(text, parseSpecial: false)
        do {
            try round.force(ids)
        } catch RuntimeError.replayMismatch {
            let tail = String(decoding: round.document.suffix(160), as: UTF8.self)
            throw ToolLoopBenchmarkError.offScript(task: task, reason: "the grammar refused \(text.debugDescription) after …\(tail)")
        }
    }

    private func expect(_ condition: Bool, task: Int, _ reason: String) throws {
        if !condition { throw ToolLoopBenchmarkError.offScript(task: task, reason: reason) }
    }

    /// The result of `lookup` for keys `k1`…`k<count>`: `{"key":…,"record":…}` padded with
    /// words until its JSON text takes `resultTokens` tokens (or the one or two more of the last word).
    private func lookupResults(count: Int) -> [String: JSONValue] {
        var results: [String: JSONValue] = [:]
        for index in 0..<count {
            let key = "k\(index + 1)"
            var words: [String] = []
            var value: JSONValue = ["key": .string(key), "record": ""]
            while tokenizer.encode(value.compactString, parseSpecial: false).count < resultTokens {
                words.append("field\(words.count + 1)")
                value = ["key": .string(key), "record": .string(words.joined(separator: " "))]
            }
            results[key] = value
        }
        return results
    }
}

/// Why the tool-loop benchmark could not run.
public enum ToolLoopBenchmarkError: Error, Sendable, CustomStringConvertible {
    /// The synthetic workflow did not load (a bug in the benchmark).
    case invalidWorkflow([String])
    /// Asked for more tool calls than tasks, for no task, or for more than `maxTasks` tasks.
    case invalidSize(toolCalls: Int, tasks: Int, maxTasks: Int)
    /// The decoded tree left the shape the benchmark steers it into.
    case offScript(task: Int, reason: String)

    public var description: String {
        switch self {
        case .invalidWorkflow(let errors):
            return "The benchmark's workflow does not load: \(errors.joined(separator: "; ")); report this as a bug."
        case .invalidSize(let toolCalls, let tasks, let maxTasks):
            return "The benchmark needs 1 to \(maxTasks) tasks and no more tool calls than tasks; got \(toolCalls) tool calls for \(tasks) tasks. Ask for fewer, or raise maxTasks."
        case .offScript(let task, let reason):
            return "At top-level task \(task) the tree left the benchmark's shape: \(reason). Use the default model, or report it as a runtime bug."
        }
    }
}

/// The benchmark's only tool: answers `lookup {key}` at once from a fixed table.
private struct FixedSizeLookup: ToolInvoking {
    let parameters: JSONValue
    let results: [String: JSONValue]

    func parameterSchemas() async -> [(name: String, schema: JSONValue)] { [("lookup", parameters)] }

    func invoke(_ name: String, arguments: JSONValue) async -> ToolOutcome {
        let key: String?
        if case .string(let text)? = arguments.objectValue?["key"] { key = text } else { key = nil }
        guard name == "lookup", let key, let value = results[key] else {
            return ToolOutcome(tool: name, arguments: arguments,
                               result: .failure(.malformedArguments(tool: name, message: "no record under this key")), duration: .zero)
        }
        return ToolOutcome(tool: name, arguments: arguments, result: .success(value), duration: .zero)
    }
}

/// Passes every call to a model and counts the tokens it computes (re-prefills included);
/// its logits never let the banned tokens be sampled.
private class ProcessedTokenCounter: DecodingBackend {
    let base: any DecodingBackend
    let bannedTokens: [Int32]
    var processedTokens = 0

    init(_ base: any DecodingBackend, bannedTokens: [Int32]) {
        self.base = base
        self.bannedTokens = bannedTokens
    }

    var vocabularySize: Int { base.vocabularySize }
    var logits: UnsafeMutableBufferPointer<Float> {
        let logits = base.logits
        for id in bannedTokens where Int(id) < logits.count { logits[Int(id)] = -.infinity }
        return logits
    }
    var sequenceSlots: [Int32] { base.sequenceSlots }

    func prefill(tokens: [Int32], positions: [Int32]) throws -> [Int32] {
        processedTokens += tokens.count
        return try base.prefill(tokens: tokens, positions: positions)
    }

    func decode(token: Int32, position: Int32) throws -> Int32 {
        processedTokens += 1
        return try base.decode(token: token, position: position)
    }

    @discardableResult func free(slots: [Int32]) -> Int { base.free(slots: slots) }

    func reposition(slots: [Int32], delta: Int32) { base.reposition(slots: slots, delta: delta) }
}

/// The counter over a serving engine: the decoder asks it for each segment as it asks the
/// engine. Its count is of the tokens appended client-side; what the server computed is in
/// the backend's ``RemoteBackend/usage``.
private final class SegmentedTokenCounter: ProcessedTokenCounter, SegmentedBackend {
    let segmented: any SegmentedBackend

    init(_ base: any SegmentedBackend, bannedTokens: [Int32]) {
        segmented = base
        super.init(base, bannedTokens: bannedTokens)
    }

    func prepareNextToken(grammar: GrammarMatcher, sampling: SamplerSettings, tokensLeft: Int) throws {
        try segmented.prepareNextToken(grammar: grammar, sampling: sampling, tokensLeft: tokensLeft)
    }
}
