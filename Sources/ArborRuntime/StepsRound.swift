import ArborGrammar
import ArborModel
import ArborSchema
import ArborSpec
import ArborTools
import Dispatch

/// Decodes a run whose model types the `steps` tree syntax (`model.tree_syntax: steps`):
/// numbered prose steps with inline tool calls, then `Answer: …` (``StepsGrammarBuilder``);
/// or the `prose` syntax: free prose where a calculation's `=` calls the calculator, then
/// `Answer: …` (``ProseGrammarBuilder``, ``ProseArithmetic``).
/// The text is read back as the same reasoning tree (``StepsDocument``) for the report, the
/// store and `--json`.
///
/// Steps have no subtask lists, so nothing is pruned and a run is one round. At each call's
/// `=` the runtime calls the tool and writes its result as the number (or JSON) the model
/// reads on. Near the token limit the text is closed the shortest way up to `Answer:`, and
/// the model writes the answer in the reserve (``answerReserve`` tokens).
/// A resume replays the recorded tokens and tool results, recomputing the cache.
struct StepsRound {
    let runner: WorkflowRunner
    let spec: ReasoningTreeSpec
    var processor: GrammarProcessor
    var sampler: Sampler
    let memory: WorkingMemory
    var metrics = RunMetrics()
    var toolCalls: [ToolOutcome] = []
    var tasks: [TaskRecord] = []
    /// The text typed so far (generated, forced and tool results).
    private(set) var text: [UInt8] = []
    private var history: [Int32] = []
    private var recordedOutcomes: [ToolOutcome] = []
    private var replaying = false
    private var closedAtLimit = false
    private let answerMember: String?
    /// `steps` or `prose`.
    let syntax: TreeSyntax
    /// Prose: the UTF-8 offset just past each call's `=` (``StepsDocument/callOffsets``).
    private var callOffsets: [Int] = []
    /// Tokens kept for the closing text and the answer when the token limit nears.
    static let answerReserve = 48

    init(runner: WorkflowRunner, spec: ReasoningTreeSpec, grammar: CompiledGrammar, memory: WorkingMemory, syntax: TreeSyntax = .steps) {
        self.runner = runner
        self.syntax = syntax
        self.spec = spec
        processor = GrammarProcessor(grammar: grammar, tokenizer: runner.tokenizer, vocabularySize: runner.model.vocabularySize)
        sampler = Sampler(settings: runner.options.sampling)
        self.memory = memory
        answerMember = StepsGrammarBuilder.unwrappedAnswerMember(of: spec.output)
    }

    private var maxTokens: Int { runner.options.maxTokens ?? runner.workflow.limits.maxTokens }
    private var written: Int { metrics.generatedTokens + metrics.forcedTokens }
    private var nextSeq: Int { memory.promptFedCount + memory.tokens.count }
    private var document: StepsDocument {
        StepsDocument(text: String(decoding: text, as: UTF8.self), toolCalls: toolCalls, answerMember: answerMember,
                      syntax: syntax, callOffsets: callOffsets)
    }
    /// Whether the text has reached its answer.
    private var isInAnswer: Bool {
        let written = String(decoding: text, as: UTF8.self)
        if syntax == .prose {
            let line = written.split(separator: "\n", omittingEmptySubsequences: false).last ?? ""
            return ProseGrammarBuilder.answerMarkers.contains { line.hasPrefix($0) }
        }
        return text.count >= 8 && written.contains("\nAnswer:")
    }

    /// Replays a recorded run's tokens and tool results (no sampling, no tool call).
    mutating func replay(_ progress: RecordedProgress) throws {
        recordedOutcomes = progress.toolCalls
        replaying = progress.isRecorded
        defer { replaying = false }
        var start = 0
        let log = progress.tokens
        while start < log.count {
            var end = start + 1
            while end < log.count && log[end].kind == log[start].kind { end += 1 }
            let ids = log[start..<end].map(\.id)
            if syntax == .prose, processor.pendingHole != nil, log[start].kind != .toolResult {
                // a prose `=` that wrote nothing: no calculation, or one that failed
                try resolveProseHole()
            }
            if log[start].kind == .toolResult, syntax == .prose {
                guard processor.pendingHole != nil, toolCalls.count < recordedOutcomes.count else {
                    throw RuntimeError.replayMismatch(seq: nextSeq, reason: "the grammar refuses the recorded tool result here")
                }
                callOffsets.append(text.count)
                toolCalls.append(recordedOutcomes[toolCalls.count])
                _ = processor.skipHole()
                metrics.toolCalls += 1
                metrics.toolResultTokens += ids.count
            } else if log[start].kind == .toolResult {
                guard toolCalls.count < recordedOutcomes.count,
                      processor.fillHole(with: ids.flatMap { runner.tokenizer.tokenBytes($0) }) else {
                    throw RuntimeError.replayMismatch(seq: nextSeq, reason: "the grammar refuses the recorded tool result here")
                }
                toolCalls.append(recordedOutcomes[toolCalls.count])
                metrics.toolCalls += 1
                metrics.toolResultTokens += ids.count
            } else {
                for (index, id) in ids.enumerated() where !processor.accept(id) {
                    throw RuntimeError.replayMismatch(seq: nextSeq + index, reason: "the grammar refuses recorded token \(id)")
                }
                if log[start].kind == .generated {
                    metrics.generatedTokens += ids.count
                    if runner.options.sampling.temperature > 0 && runner.options.sampling.topK != 1 { for _ in ids { _ = sampler.rng.next() } }
                } else {
                    metrics.forcedTokens += ids.count
                }
            }
            try append(ids, kind: log[start].kind)
            start = end
        }
    }

    /// Decodes until the grammar is complete.
    mutating func decode() async throws {
        let start = DispatchTime.now()
        var toolTime = 0.0
        defer { metrics.decodeSeconds = seconds(since: start) - toolTime; metrics.maskSeconds = processor.maskSeconds }
        while true {
            if runner.shouldStop?() == true { throw RuntimeError.interrupted }
            if processor.pendingHole != nil {
                let callStart = DispatchTime.now()
                try await callTool()
                toolTime += seconds(since: callStart)
                continue
            }
            if processor.isComplete && !processor.canAcceptAnyMore { break }
            guard written < maxTokens else {
                if try forceCompletion(upToAnswer: false) { continue }
                throw RuntimeError.incomplete(maxTokens: maxTokens, text: String(decoding: text, as: UTF8.self))
            }
            if !isInAnswer, written + Self.answerReserve >= maxTokens, try forceCompletion(upToAnswer: true) { continue }
            let forced = processor.acceptForced(limit: maxTokens - written)
            if !forced.isEmpty {
                metrics.forcedTokens += forced.count
                try append(forced, kind: .forced)
                continue
            }
            if !isInAnswer, try writeProseComputation() { continue }
            if !isInAnswer, processor.endsBeforeGrammarAllows(logits: runner.model.logits), try beginAnswer() { continue }
            let token = processor.sample(logits: runner.model.logits, sampler: &sampler, history: history)
            guard token >= 0 else { throw RuntimeError.noTokenAllowed(step: written) }
            if runner.tokenizer.isEndOfGeneration(token) {
                if processor.isComplete { break }
                throw RuntimeError.noTokenAllowed(step: written)
            }
            guard processor.accept(token) else { throw RuntimeError.noTokenAllowed(step: written) }
            metrics.generatedTokens += 1
            try append([token], kind: .generated)
        }
    }

    /// Forces the first token of the shortest completion — up to `Answer:` when `upToAnswer`
    /// — and says whether it did (not when a call must reach its tool first). The text may
    /// begin inside a UTF-8 character the model left unfinished: its bytes go on from there.
    private mutating func forceCompletion(upToAnswer: Bool) throws -> Bool {
        guard let completion = processor.shortestCompletion().map({ upToAnswer ? Self.upToAnswer($0) : $0 }),
              !completion.isEmpty else { return false }
        guard let id = processor.acceptFirstToken(of: completion) else {
            throw RuntimeError.forcedTextRejected(step: written, text: String(decoding: completion, as: UTF8.self))
        }
        closedAtLimit = true
        metrics.closedAtTokenLimit = true
        metrics.forcedTokens += 1
        try append([id], kind: .forced)
        return true
    }

    /// The model would end here but the grammar wants its answer line first: writes the
    /// grammar's shortest way to `Answer:` (`\nAnswer:` after a line) in one step, and the model
    /// writes the answer. This is the model's own finish, not the token limit's; false when
    /// no such text fits (a call must reach its tool first).
    private mutating func beginAnswer() throws -> Bool {
        guard let completion = processor.shortestCompletion().map(Self.upToAnswer), !completion.isEmpty,
              let ids = processor.acceptText(completion) else { return false }
        metrics.forcedTokens += ids.count
        try append(ids, kind: .forced)
        return true
    }

    /// `completion` cut after its answer marker.
    private static func upToAnswer(_ completion: [UInt8]) -> [UInt8] {
        guard let marker = completion.firstRange(of: Array("Answer:".utf8)) else { return completion }
        return Array(completion[..<marker.upperBound])
    }

    /// Calls the tool whose call just reached its `=` (or takes its recorded outcome) and
    /// writes its result.
    private mutating func callTool() async throws {
        let written = String(decoding: text, as: UTF8.self)
        if syntax == .prose { return try await callProseTool(written: written) }
        guard let call = StepsDocument.pendingCall(in: written, spec: spec) else {
            throw RuntimeError.toolCallUnreadable(text: String(written.suffix(200)))
        }
        let index = toolCalls.count
        let outcome: ToolOutcome
        if index < recordedOutcomes.count {
            outcome = recordedOutcomes[index]
        } else {
            let path = [document.steps.count]
            try runner.recorder?.toolCallStarted(index: index, name: call.tool, arguments: call.arguments, taskPath: path, tokenSeq: nextSeq)
            outcome = await runner.tools.invoke(call.tool, arguments: call.arguments)
            try runner.recorder?.toolCallFinished(index: index, outcome: outcome)
        }
        toolCalls.append(outcome)
        metrics.toolCalls += 1
        metrics.toolSeconds += Double(outcome.duration.components.seconds) + Double(outcome.duration.components.attoseconds) / 1e18
        let encoded = ToolResultEncoder(tokenizer: runner.tokenizer, budget: runner.options.toolResultTokenBudget)
            .encode(StepsDocument.resultValue(of: outcome))
        guard processor.fillHole(with: encoded.bytes) else { throw RuntimeError.toolResultRejected(tool: outcome.tool) }
        metrics.toolResultTokens += encoded.ids.count
        try append(encoded.ids, kind: .toolResult)
    }

    /// The prose syntax's `=`: a calculation written just before it (``ProseArithmetic``)
    /// calls the calculator, within the tool-call budget, and its result is written after the
    /// `=` as the model would write it; anything else writes nothing and the model goes on.
    private mutating func callProseTool(written: String) async throws {
        let index = toolCalls.count
        guard let inline = spec.inlineExpression, index < spec.maxToolCalls ?? Int.max,
              let expression = ProseArithmetic.expression(before: written.dropLast()) else {
            guard processor.skipHole() else { throw RuntimeError.toolResultRejected(tool: spec.inlineExpression?.tool ?? "calculator") }
            return
        }
        let outcome: ToolOutcome
        if index < recordedOutcomes.count {
            outcome = recordedOutcomes[index]
        } else {
            let arguments: JSONValue = .object([inline.parameter: .string(expression)])
            try runner.recorder?.toolCallStarted(index: index, name: inline.tool, arguments: arguments, taskPath: [document.steps.count], tokenSeq: nextSeq)
            outcome = await runner.tools.invoke(inline.tool, arguments: arguments)
            try runner.recorder?.toolCallFinished(index: index, outcome: outcome)
        }
        callOffsets.append(text.count)
        toolCalls.append(outcome)
        metrics.toolCalls += 1
        metrics.toolSeconds += Double(outcome.duration.components.seconds) + Double(outcome.duration.components.attoseconds) / 1e18
        guard processor.skipHole() else { throw RuntimeError.toolResultRejected(tool: outcome.tool) }
        let inserted = Self.proseResultText(of: outcome, after: written)
        guard !inserted.isEmpty else { return }
        let ids = runner.tokenizer.encode(inserted, parseSpecial: false)
        metrics.toolResultTokens += ids.count
        try append(ids, kind: .toolResult)
    }

    /// A replayed prose `=` after which nothing was written: the recorded outcome is taken
    /// when the text made it a calculation (a failed one).
    private mutating func resolveProseHole() throws {
        let written = String(decoding: text, as: UTF8.self)
        if spec.inlineExpression != nil, toolCalls.count < spec.maxToolCalls ?? Int.max,
           ProseArithmetic.expression(before: written.dropLast()) != nil {
            guard toolCalls.count < recordedOutcomes.count else {
                throw RuntimeError.replayMismatch(seq: nextSeq, reason: "the recorded run has no outcome for the calculation before this =")
            }
            callOffsets.append(text.count)
            toolCalls.append(recordedOutcomes[toolCalls.count])
            metrics.toolCalls += 1
        }
        _ = processor.skipHole()
    }

    /// What a calculation's result looks like after its `=`: the number, after a space when
    /// the model wrote one before the `=`; nothing for a failure or a result that is no number.
    static func proseResultText(of outcome: ToolOutcome, after written: String) -> String {
        let value = StepsDocument.resultValue(of: outcome)
        guard value.doubleValue != nil else { return "" }
        return (written.dropLast().hasSuffix(" ") ? " " : "") + value.compactString
    }

    /// Feeds tokens to the model and the recorder; a finished step line is a finished task.
    mutating func append(_ ids: [Int32], kind: TokenKind) throws {
        let firstSeq = nextSeq
        var ends: [Int] = []
        for id in ids {
            text += runner.tokenizer.tokenBytes(id)
            ends.append(text.count)
            if kind == .generated { history.append(id) }
        }
        let slots = try memory.feed(ids, kinds: Array(repeating: kind, count: ids.count), byteEnds: ends)
        metrics.peakKVSlots = memory.peakLiveCount
        if !replaying {
            try runner.recorder?.kvRowsComputed(firstSeq: firstSeq, slots: slots, backend: runner.model)
            try runner.recorder?.appended(ids, kind: kind, firstSeq: firstSeq, taskPath: [document.steps.count], round: 0)
        }
        let steps = document.steps
        while tasks.count < steps.count {
            let step = steps[tasks.count]
            let tool = step.callCount == 1 && step.firstCall < toolCalls.count ? toolCalls[step.firstCall].tool : nil
            let task = TaskRecord(path: [tasks.count], thought: step.text, conclusion: step.resultTexts.last ?? step.text, toolName: tool)
            tasks.append(task)
            if !replaying { try runner.recorder?.taskFinished(task, round: 0) }
        }
        runner.onProgress?(RunProgress(metrics: metrics, liveKVSlots: memory.liveCount))
    }

    /// The run's report: the text read as the tree, its answer checked against `outputSchema`.
    func report(outputSchema: SchemaDocument, promptTokens: Int) throws -> RunReport {
        let written = String(decoding: text, as: UTF8.self)
        let read = document
        guard let output = read.answer else { throw RuntimeError.schemaViolation(["the steps have no readable \"Answer:\""], text: written) }
        let violations = outputSchema.validate(output)
        if !violations.isEmpty { throw RuntimeError.schemaViolation(violations.map { "\($0)" }, text: written) }
        var metrics = metrics
        metrics.promptTokens = promptTokens
        let round = RoundRecord(number: 0, summary: nil, promptTokens: promptTokens, treeTokens: metrics.treeTokens,
                                peakKeptTokens: memory.tokens.count, decodeSeconds: metrics.decodeSeconds,
                                peakKVSlots: metrics.peakKVSlots, promptLength: promptTokens, endKeptTokens: memory.tokens.count)
        return RunReport(output: output, document: read.document, tasks: tasks, toolCalls: toolCalls, metrics: metrics,
                         rounds: [round], roundsClosedAtTokenLimit: closedAtLimit ? [0] : [])
    }
}

extension WorkflowRunner {
    /// Runs a workflow whose model types the steps syntax (the hook in `runRounds`).
    func runSteps(inputs: JSONObject, serverTools: [String: JSONValue], resuming progress: RecordedProgress?) async throws -> RunReport {
        let spec = try ReasoningTreeSpec(workflow: workflow, serverTools: serverTools)
        let syntax = workflow.model.treeSyntax
        let source = syntax == .prose ? try ProseGrammarBuilder.grammar(for: spec) : try StepsGrammarBuilder.grammar(for: spec)
        let grammar = try VocabularyCache.shared.compiled(source.grammar, for: tokenizer)
        let prompt = PromptBuilder(workflow: workflow, tools: workflow.tools.map { tool in
            PromptBuilder.ToolInfo(name: tool.name, description: tool.description,
                                   parameters: serverTools[tool.name] ?? ReasoningTreeSpec.parametersFetchedAtRunTime)
        })
        let messages = syntax == .prose ? prompt.proseMessages(inputs: inputs) : prompt.stepsMessages(inputs: inputs, spec: spec)
        let text = chatTemplate.render(messages: messages, addGenerationPrompt: true)
        let promptIDs = tokenizer.encode(text, parseSpecial: true)
        model.free(slots: model.sequenceSlots)
        let start = DispatchTime.now()
        let memory = WorkingMemory(model: model)
        try memory.feedPrompt(promptIDs)
        if let progress, !progress.promptTokens.isEmpty {
            guard progress.promptTokens == promptIDs else {
                throw RuntimeError.replayMismatch(seq: 0, reason: "the prompt built now differs from the recorded one")
            }
        } else {
            try recorder?.appended(promptIDs, kind: .prompt, firstSeq: 0, taskPath: [], round: 0)
            try recorder?.kvRowsComputed(firstSeq: 0, slots: memory.fedPromptSlots, backend: model)
        }
        var round = StepsRound(runner: self, spec: spec, grammar: grammar, memory: memory, syntax: syntax)
        round.metrics.promptSeconds = seconds(since: start)
        if let progress { try round.replay(progress) }
        try await round.decode()
        let report = try round.report(outputSchema: try SchemaDocument(compiling: workflow.outputSchema), promptTokens: promptIDs.count)
        try recorder?.roundFinished(report.rounds[0])
        return report
    }
}
