import ArborGrammar
import ArborModel
import ArborSchema
import ArborSpec
import ArborStore
import ArborTools
import Dispatch

/// Runs a workflow: decodes its reasoning tree under the tree grammar, prunes finished
/// subtask lists from the KV cache, calls tools at each `"tool_result":` and returns the
/// answer checked against the output schema.
///
/// ```swift
/// let runner = WorkflowRunner(workflow: workflow, model: transformer, tokenizer: tokenizer,
///                             chatTemplate: template, tools: toolBox)
/// let report = try await runner.run(inputs: ["problem": "12 * 7 + 5"])
/// print(report.output.prettyString, report.metrics.prunedShare)
/// ```
public final class WorkflowRunner {
    public let workflow: Workflow
    public let model: any LanguageModel
    public let tokenizer: BPETokenizer
    public let chatTemplate: ChatTemplate
    public let tools: any ToolInvoking
    public var options: RunOptions
    /// Called after every step with the run's numbers so far (for a live status line).
    public var onProgress: ((RunProgress) -> Void)?

    public init(workflow: Workflow, model: any LanguageModel, tokenizer: BPETokenizer, chatTemplate: ChatTemplate,
                tools: any ToolInvoking, options: RunOptions? = nil) {
        self.workflow = workflow
        self.model = model
        self.tokenizer = tokenizer
        self.chatTemplate = chatTemplate
        self.tools = tools
        self.options = options ?? RunOptions(workflow: workflow)
    }

    /// Runs the workflow on `inputs` (defaults filled in, checked against the inputs schema).
    /// The model's sequence is emptied first.
    public func run(inputs given: JSONObject) async throws -> RunReport {
        let inputs = try workflow.resolveInputs(given)
        let schemas = await tools.parameterSchemas()
        let grammar = try compileGrammar(serverTools: Dictionary(schemas.map { ($0.name, $0.schema) }, uniquingKeysWith: { a, _ in a }))
        let prompt = PromptBuilder(workflow: workflow, tools: workflow.tools.map { tool in
            PromptBuilder.ToolInfo(name: tool.name, description: tool.description,
                                   parameters: schemas.first { $0.name == tool.name }?.schema ?? ReasoningTreeSpec.parametersFetchedAtRunTime)
        })
        let text = chatTemplate.render(messages: prompt.messages(inputs: inputs), addGenerationPrompt: true)
        model.free(slots: model.sequenceSlots)
        var round = TreeRound(runner: self, grammar: grammar)
        let start = DispatchTime.now()
        try round.memory.feedPrompt(tokenizer.encode(text, parseSpecial: true))
        round.metrics.promptTokens = round.memory.promptTokens.count
        round.metrics.promptSeconds = seconds(since: start)
        try await round.decode()
        return try round.report(outputSchema: SchemaDocument(compiling: workflow.outputSchema))
    }

    private func compileGrammar(serverTools: [String: JSONValue]) throws -> CompiledGrammar {
        let spec = try ReasoningTreeSpec(workflow: workflow, serverTools: serverTools)
        let tree = try TreeGrammarBuilder.grammar(for: spec)
        return try VocabularyCache.shared.compiled(tree.grammar, for: tokenizer)
    }
}

/// One pass of decoding a tree document: the grammar, the tree tracker, working memory and
/// the pruning buffer move together token by token.
struct TreeRound {
    let runner: WorkflowRunner
    var matcher: GrammarMatcher
    var grammarSampling: GrammarSampling
    var sampler: Sampler
    var tracker = TreeTracker()
    let memory: WorkingMemory
    var buffer: PruningBuffer
    var metrics = RunMetrics()
    var tasks: [TaskRecord] = []
    var toolCalls: [ToolOutcome] = []
    private var history: [Int32] = []
    private var decodeStart = DispatchTime.now()
    /// Wall-clock seconds spent in tool calls (not decoding).
    private var toolTime = 0.0

    init(runner: WorkflowRunner, grammar: CompiledGrammar) {
        self.runner = runner
        matcher = GrammarMatcher(grammar)
        grammarSampling = GrammarSampling(grammar: grammar, tokenizer: runner.tokenizer, vocabularySize: runner.model.vocabularySize)
        sampler = Sampler(settings: runner.options.sampling)
        memory = WorkingMemory(model: runner.model)
        buffer = PruningBuffer(capacity: runner.workflow.limits.pruneBuffer)
    }

    private var maxTokens: Int { runner.options.maxTokens ?? runner.workflow.limits.maxTokens }
    private var written: Int { metrics.generatedTokens + metrics.forcedTokens }

    /// Decodes until the grammar is complete.
    mutating func decode() async throws {
        decodeStart = DispatchTime.now()
        defer { updateTimes() }
        while true {
            if matcher.pendingHole != nil {
                let callStart = DispatchTime.now()
                try await callTool()
                toolTime += seconds(since: callStart)
                continue
            }
            guard written < maxTokens else {
                throw RuntimeError.incomplete(maxTokens: maxTokens, text: String(decoding: tracker.document, as: UTF8.self))
            }
            let forced = grammarSampling.acceptForced(&matcher, limit: maxTokens - written)
            if !forced.isEmpty {
                metrics.forcedTokens += forced.count
                try append(forced, kind: .forced)
                continue
            }
            let token = grammarSampling.sample(&matcher, logits: runner.model.logits, sampler: &sampler, history: history)
            guard token >= 0 else { throw RuntimeError.noTokenAllowed(step: written) }
            if runner.tokenizer.isEndOfGeneration(token) {
                if matcher.isComplete { break }
                throw RuntimeError.noTokenAllowed(step: written)
            }
            guard matcher.acceptToken(Int(token)) else { throw RuntimeError.noTokenAllowed(step: written) }
            metrics.generatedTokens += 1
            try append([token], kind: .generated)
            if matcher.isComplete && !matcher.canAcceptAnyMore { break }
        }
    }

    /// Calls the tool the tree asks for and inserts its result.
    private mutating func callTool() async throws {
        let outcome: ToolOutcome
        if let call = tracker.pendingToolCall {
            do {
                let arguments = try JSONValue(parsing: call.parameters)
                outcome = await runner.tools.invoke(call.name, arguments: arguments)
            } catch {
                outcome = ToolOutcome(tool: call.name, arguments: .string(String(decoding: call.parameters, as: UTF8.self)),
                                      result: .failure(.malformedArguments(tool: call.name, message: "\(error)")), duration: .zero)
            }
        } else {
            throw RuntimeError.toolCallUnreadable(text: String(decoding: tracker.document.suffix(200), as: UTF8.self))
        }
        toolCalls.append(outcome)
        metrics.toolCalls += 1
        metrics.toolSeconds += Double(outcome.duration.components.seconds) + Double(outcome.duration.components.attoseconds) / 1e18
        let encoded = ToolResultEncoder(tokenizer: runner.tokenizer, budget: runner.options.toolResultTokenBudget)
            .encode(outcome.modelJSON)
        guard matcher.fillHole(with: encoded.bytes) else { throw RuntimeError.toolResultRejected(tool: outcome.tool) }
        metrics.toolResultTokens += encoded.ids.count
        try append(encoded.ids, kind: .toolResult)
    }

    /// Feeds tokens to the tracker and the model, pruning wherever a subtask list closes:
    /// tokens before the close are fed first, so each token sees the memory it would have
    /// seen had it been fed alone.
    private mutating func append(_ ids: [Int32], kind: TokenKind) throws {
        var pending: [Int32] = [], ends: [Int] = []
        for id in ids {
            let events = tracker.consume(runner.tokenizer.tokenBytes(id))
            pending.append(id)
            ends.append(tracker.document.count)
            if kind == .generated { history.append(id) }
            var closedLists: [Range<Int>] = []
            for event in events {
                switch event {
                case .taskFinished(let path, let thought, let conclusion, let toolName):
                    tasks.append(TaskRecord(path: path, thought: thought, conclusion: conclusion, toolName: toolName))
                case .subtaskListClosed(_, let interior):
                    closedLists.append(interior)
                case .taskStarted:
                    break
                }
            }
            if !closedLists.isEmpty && runner.options.prune {
                try memory.feed(pending, kind: kind, byteEnds: ends)
                pending.removeAll()
                ends.removeAll()
                for interior in closedLists {
                    for evicted in buffer.push(memory.tokenRange(within: interior)) { memory.evict(evicted) }
                }
            }
        }
        try memory.feed(pending, kind: kind, byteEnds: ends)
        metrics.peakKVSlots = memory.peakLiveCount
        metrics.prunedTokens = memory.prunedCount
        updateTimes()
        runner.onProgress?(RunProgress(metrics: metrics, liveKVSlots: memory.liveCount))
    }

    private mutating func updateTimes() {
        metrics.decodeSeconds = seconds(since: decodeStart) - toolTime
        metrics.maskSeconds = grammarSampling.maskSeconds
    }

    /// The finished run: the document parsed, the answer checked against `outputSchema`.
    func report(outputSchema: SchemaDocument) throws -> RunReport {
        let text = String(decoding: tracker.document, as: UTF8.self)
        let document: JSONValue
        do { document = try JSONValue(parsing: tracker.document) } catch { throw RuntimeError.invalidJSON(error, text: text) }
        guard let output = document.objectValue?["answer"] else {
            throw RuntimeError.schemaViolation(["the tree has no \"answer\""], text: text)
        }
        let violations = outputSchema.validate(output)
        if !violations.isEmpty { throw RuntimeError.schemaViolation(violations.map { "\($0)" }, text: text) }
        return RunReport(output: output, document: document, tasks: tasks, toolCalls: toolCalls, metrics: metrics)
    }
}

func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}
