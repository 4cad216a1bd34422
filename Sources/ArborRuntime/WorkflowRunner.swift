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
    /// Receives tokens, tasks and tool calls as they happen (the run's durable record).
    public var recorder: (any RunRecorder)?
    /// Asked before every step; returning true stops the run with ``RuntimeError/interrupted``
    /// (after the recorder has what was decoded so far).
    public var shouldStop: (() -> Bool)?

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
    ///
    /// With `progress` (a recorded run's tokens and finished tool calls), the run first
    /// replays them — no sampling, no tool call — and then goes on; with greedy sampling the
    /// result equals an uninterrupted run's byte for byte.
    public func run(inputs given: JSONObject, resuming progress: RecordedProgress? = nil) async throws -> RunReport {
        do {
            return try await runRounds(inputs: given, resuming: progress)
        } catch is KVRowsIncomplete {
            var computing = progress
            computing?.kvRows = nil
            return try await runRounds(inputs: given, resuming: computing)
        }
    }

    private func runRounds(inputs given: JSONObject, resuming progress: RecordedProgress?) async throws -> RunReport {
        let inputs = try workflow.resolveInputs(given)
        try options.check(for: workflow)
        if let numerics = options.numerics { LlamaCppNumerics.current = numerics }
        let schemas = await tools.parameterSchemas()
        let serverTools = Dictionary(schemas.map { ($0.name, $0.schema) }, uniquingKeysWith: { a, _ in a })
        let grammar = try compileGrammar(serverTools: serverTools, isSummaryRound: false)
        let rounded = workflow.limits.roundBudget != nil && workflow.limits.maxRounds > 1
        let summaryGrammar = rounded ? try compileGrammar(serverTools: serverTools, isSummaryRound: true) : nil
        let minimumTokens = options.minimumTokens ?? 0
        let openGrammar = minimumTokens > 0 ? try compileGrammar(serverTools: serverTools, isSummaryRound: true, isOpenEnded: true) : nil
        let prompt = PromptBuilder(workflow: workflow, tools: workflow.tools.map { tool in
            PromptBuilder.ToolInfo(name: tool.name, description: tool.description,
                                   parameters: serverTools[tool.name] ?? ReasoningTreeSpec.parametersFetchedAtRunTime)
        })
        model.free(slots: model.sequenceSlots)

        var rounds: [RoundRecord] = []
        var summary: String?
        var total = RunMetrics()
        var tasks: [TaskRecord] = []
        var toolCalls: [ToolOutcome] = []
        var logOffset = 0
        var largestTopLevelTask = 0
        var closedRounds: [Int] = []
        var previous: WorkingMemory?
        while true {
            let number = rounds.count
            let text = chatTemplate.render(messages: prompt.messages(inputs: inputs, summary: summary), addGenerationPrompt: true)
            let promptIDs = tokenizer.encode(text, parseSpecial: true)
            let start = DispatchTime.now()
            let seqBase = total.promptTokens + total.treeTokens
            let memory = try previous?.nextRound(prompt: promptIDs, seqBase: seqBase) ?? {
                let first = WorkingMemory(model: model)
                // the recorded prompt's rows are copied back only if the prompt is the same
                if let progress, let rows = progress.kvRows, let last = progress.lastSeq, progress.promptTokens == promptIDs {
                    first.restore = (rows, last)
                }
                try first.feedPrompt(promptIDs)
                return first
            }()
            let mayEndWithSummary = number + 1 < workflow.limits.maxRounds
            let mustGoOn = mayEndWithSummary && total.treeTokens < minimumTokens
            var round = TreeRound(runner: self, grammar: mustGoOn ? openGrammar ?? grammar : grammar, memory: memory)
            round.roundNumber = number
            round.seqBase = seqBase
            round.toolCallBase = toolCalls.count
            if mayEndWithSummary { round.summaryGrammar = summaryGrammar }
            round.roundBudget = workflow.limits.roundBudget
            round.largestTopLevelTask = largestTopLevelTask
            let fedPrompt = Array(promptIDs.suffix(memory.promptFedCount))
            if try checkOrRecordPrompt(fedPrompt, round: number, seq: round.seqBase, progress: progress, offset: &logOffset) {
                try recordKVRows(of: memory.fedPromptSlots, firstSeq: seqBase)
            }
            if let released = previous?.seqsReleased(keepingPrompt: memory.keptPromptCount), !released.isEmpty {
                try recorder?.kvRowsReleased(seqs: released)
            }
            round.metrics.promptTokens = fedPrompt.count
            round.metrics.promptSeconds = seconds(since: start)
            if let progress {
                logOffset += try round.replay(progress, from: logOffset)
                round.metrics.restoredTokens = memory.restoredCount
                // the replay is over: a token whose recorded rows were missing must not remain
                if logOffset >= progress.tokens.count {
                    if memory.cachesUnwrittenRows { throw KVRowsIncomplete() }
                    memory.restore = nil
                }
            }
            try await round.decode()

            total.add(round.metrics)
            largestTopLevelTask = round.largestTopLevelTask
            tasks += round.tasks
            toolCalls += round.toolCalls
            if round.closedAtTokenLimit { closedRounds.append(number) }
            let record = RoundRecord(number: number, summary: round.tracker.summaryText, promptTokens: fedPrompt.count,
                                     treeTokens: round.metrics.treeTokens, peakKeptTokens: round.peakKeptTreeTokens,
                                     decodeSeconds: round.metrics.decodeSeconds, peakKVSlots: round.metrics.peakKVSlots,
                                     promptLength: promptIDs.count, endKeptTokens: round.keptTreeTokens)
            rounds.append(record)
            // A round replayed whole from the record (the log goes on past it) is recorded already.
            let replayedWhole = progress.map { logOffset < $0.tokens.count } ?? false
            if !replayedWhole { try recorder?.roundFinished(record) }
            guard let next = round.tracker.summaryText else {
                let answer = try round.answer(outputSchema: SchemaDocument(compiling: workflow.outputSchema))
                return RunReport(output: answer.output, document: answer.document, tasks: tasks, toolCalls: toolCalls,
                                 metrics: total, rounds: rounds, roundsClosedAtTokenLimit: closedRounds)
            }
            summary = next
            previous = memory
        }
    }

    /// A later round's prompt must match the record when resuming; otherwise it is recorded
    /// (and the result says so).
    private func checkOrRecordPrompt(_ fed: [Int32], round: Int, seq: Int, progress: RecordedProgress?,
                                     offset: inout Int) throws -> Bool {
        if round == 0, let progress, !progress.promptTokens.isEmpty {
            guard progress.promptTokens == fed else {
                throw RuntimeError.replayMismatch(seq: 0, reason: "the prompt built now differs from the recorded one")
            }
            return false
        }
        if round > 0, let progress, offset < progress.tokens.count {
            let recorded = progress.tokens[offset...].prefix { $0.kind == .prompt }.map(\.id)
            guard recorded == fed else {
                throw RuntimeError.replayMismatch(seq: seq, reason: "round \(round)'s prompt differs from the recorded one")
            }
            offset += recorded.count
            return false
        }
        try recorder?.appended(fed, kind: .prompt, firstSeq: seq, taskPath: [], round: round)
        return true
    }

    /// Hands the just-computed KV rows of `slots` (tokens `firstSeq...`) to the recorder.
    func recordKVRows(of slots: [Int32], firstSeq: Int) throws {
        guard let recorder, recorder.keepsKVRows, !slots.isEmpty, let transfer = model as? any KVRowTransfer else { return }
        try recorder.kvRowsComputed(firstSeq: firstSeq, slots: slots, from: transfer)
    }

    private func compileGrammar(serverTools: [String: JSONValue], isSummaryRound: Bool, isOpenEnded: Bool = false) throws -> CompiledGrammar {
        var spec = try ReasoningTreeSpec(workflow: workflow, serverTools: serverTools, isSummaryRound: isSummaryRound)
        spec.isOpenEnded = isOpenEnded
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
    /// Tokens consumed by the tracker but not yet fed to the model, with where each ends.
    private var pending: [(id: Int32, kind: TokenKind, byteEnd: Int)] = []
    /// While replaying, tokens are fed in one batch up to each prune point, whatever their kind.
    private var deferFeeding = false
    /// Outcomes of tool calls recorded before a resume, used instead of calling again.
    private var recordedOutcomes: [ToolOutcome] = []
    /// Whether tokens being appended come from the record (and so are not recorded again).
    private var replaying = false
    private var decodeStart = DispatchTime.now()
    private var decodeStarted = false
    /// Wall-clock seconds spent in tool calls (not decoding).
    private var toolTime = 0.0
    /// The round's number (0 for the first) and where its tokens start in the run's log.
    var roundNumber = 0
    var seqBase = 0
    /// Tool calls made in earlier rounds.
    var toolCallBase = 0
    /// The grammar ending in `"summary"`, when this round may end with one.
    var summaryGrammar: CompiledGrammar?
    /// Kept tree tokens beyond which the round ends at the next top-level task boundary.
    var roundBudget: Int?
    /// The most tree tokens kept at once in this round.
    private(set) var peakKeptTreeTokens = 0
    /// The most a top-level task has added to the kept tree tokens at its peak, over the run
    /// so far (the runner carries it from round to round).
    var largestTopLevelTask = 0
    private var keptAtTaskStart = 0
    private var taskPeak = 0
    /// When the round closes at its token limit (see ``TokenLimitClosing``).
    private let limitClosing: TokenLimitClosing
    /// The token limit is closing the tree up to its final value, one forced token per step.
    private var closingAtLimit = false
    /// The token limit is finishing the final value the shortest way, one token per step.
    private var finishingAtLimit = false
    /// The token limit is ending a begun tool call's parameters the shortest way.
    private var finishingToolCall = false
    /// Whether the token limit closed the round: its final value was written in the reserve,
    /// or cut short (or a tool call's parameters were).
    var closedAtTokenLimit: Bool { closingAtLimit || finishingAtLimit || finishingToolCall }

    init(runner: WorkflowRunner, grammar: CompiledGrammar, memory: WorkingMemory? = nil) {
        self.runner = runner
        matcher = GrammarMatcher(grammar)
        grammarSampling = GrammarSampling(grammar: grammar, tokenizer: runner.tokenizer, vocabularySize: runner.model.vocabularySize)
        sampler = Sampler(settings: runner.options.sampling)
        self.memory = memory ?? WorkingMemory(model: runner.model)
        buffer = PruningBuffer(capacity: runner.workflow.limits.pruneBuffer)
        limitClosing = TokenLimitClosing(maxTokens: runner.options.maxTokens ?? runner.workflow.limits.maxTokens, grammar: grammar,
                                         hasTools: !runner.workflow.tools.isEmpty && runner.workflow.limits.maxToolCalls > 0)
    }

    /// Tree tokens in the cache now (and about to be).
    var keptTreeTokens: Int { memory.liveCount + pending.count - memory.promptTokens.count }

    /// Whether the round has used its budget and stands where it can close with a summary.
    ///
    /// "Would pass": the round ends at a top-level boundary once another task as large as the
    /// largest so far, and then the summary, could take the kept tokens past the budget. So the
    /// working memory stays within budget + prompt unless a task outgrows every earlier one.
    private var shouldEndRound: Bool {
        guard let roundBudget, summaryGrammar != nil, !endsWithSummary, !closedAtTokenLimit else { return false }
        return keptTreeTokens + roundReserve >= roundBudget && tracker.isAtTopLevelBoundary
    }

    /// Room kept for one more task and the summary: the largest task so far, the summary's
    /// longest text (a token holds at least one character) and its forced brackets.
    private var roundReserve: Int { largestTopLevelTask + runner.workflow.limits.maxTextLength + 8 }

    /// Whether the round could switch to its summary within the next `count` tokens (kept
    /// tree tokens, and the largest task with them, grow by at most one per token).
    private func mayEndRound(within count: Int) -> Bool {
        guard let roundBudget, summaryGrammar != nil, !endsWithSummary else { return false }
        return keptTreeTokens + 2 * count + roundReserve >= roundBudget
    }

    /// Whether the round switched to its summary ending.
    private(set) var endsWithSummary = false

    /// Moves the round onto the summary grammar (the document so far is valid under it too)
    /// and forces the start of the summary.
    private mutating func switchToSummary() throws {
        guard let summaryGrammar else { return }
        try flush()
        // The same tree under the summary grammar: text as text, tool results into their holes.
        var summaryMatcher = GrammarMatcher(summaryGrammar)
        var start = 0, byte = 0
        while start < memory.tokens.count {
            var end = start + 1
            let isResult = memory.kinds[start] == .toolResult
            while end < memory.tokens.count && (memory.kinds[end] == .toolResult) == isResult { end += 1 }
            let bytes = Array(tracker.document[byte..<memory.byteEnds[end - 1]])
            let accepted = isResult ? summaryMatcher.fillHole(with: bytes) : summaryMatcher.acceptText(bytes)
            guard accepted else {
                throw RuntimeError.replayMismatch(seq: nextSeq, reason: "the summary grammar refuses the tree so far")
            }
            byte = memory.byteEnds[end - 1]
            start = end
        }
        matcher = summaryMatcher
        let maskSeconds = grammarSampling.maskSeconds
        grammarSampling = GrammarSampling(grammar: summaryGrammar, tokenizer: runner.tokenizer,
                                          vocabularySize: runner.model.vocabularySize, maskSeconds: maskSeconds)
        endsWithSummary = true
    }

    private var maxTokens: Int { runner.options.maxTokens ?? runner.workflow.limits.maxTokens }
    private var written: Int { metrics.generatedTokens + metrics.forcedTokens }

    /// Decodes until the grammar is complete, or until `stop` says so (checked before every
    /// step; benchmarks use it to steer the tree).
    mutating func decode(until stop: ((TreeRound) -> Bool)? = nil) async throws {
        if !decodeStarted { decodeStart = DispatchTime.now(); decodeStarted = true }
        defer { updateTimes() }
        while true {
            if let stop, stop(self) { return }
            if runner.shouldStop?() == true { throw RuntimeError.interrupted }
            if shouldEndRound {
                try switchToSummary()
                try forceSummaryStart()
                continue
            }
            if matcher.pendingHole != nil {
                let callStart = DispatchTime.now()
                try await callTool()
                toolTime += seconds(since: callStart)
                continue
            }
            if closedAtTokenLimit && matcher.isComplete { break }
            guard written < maxTokens else {
                throw RuntimeError.incomplete(maxTokens: maxTokens, text: String(decoding: tracker.document, as: UTF8.self))
            }
            decideLimitClosing()
            if finishingAtLimit || closingAtLimit && !tracker.isInFinalValue || finishingToolCall && isInsideToolCall {
                try forceClosingToken()
                continue
            }
            // While the round may still end with a summary, or near the token limit, forced
            // text goes one token per step, so the end is decided before every token — as a
            // replay decides it.
            let boundary = mayEndRound(within: 1) ? tracker : nil
            let forced = grammarSampling.acceptForced(&matcher, limit: summaryGrammar != nil && !endsWithSummary ? 1 : limitClosing.forcedStepLimit(written: written),
                                                      stoppingAtBoundaryOf: boundary)
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
            let pieces = boundary == nil ? [token] : piecesUpToBoundary(token)
            guard matcher.acceptToken(Int(pieces[0])) else { throw RuntimeError.noTokenAllowed(step: written) }
            metrics.generatedTokens += 1
            try append([pieces[0]], kind: .generated)
            // The rest of a cut token is forced text: decided before each token like any other.
            for id in pieces.dropFirst() {
                decideLimitClosing()
                if closedAtTokenLimit { break }
                guard matcher.acceptToken(Int(id)) else { throw RuntimeError.noTokenAllowed(step: written) }
                metrics.forcedTokens += 1
                try append([id], kind: .forced)
            }
            if matcher.isComplete && !matcher.canAcceptAnyMore { break }
        }
    }

    /// `token`, or the tokens of its bytes up to the top-level task boundary it would run
    /// past (`"},` becomes `"}`), so that a round past its budget ends there.
    private func piecesUpToBoundary(_ token: Int32) -> [Int32] {
        let bytes = runner.tokenizer.tokenBytes(token)
        guard let end = tracker.bytesToTopLevelBoundary(in: bytes) else { return [token] }
        let text = String(decoding: bytes[..<end], as: UTF8.self)
        let ids = runner.tokenizer.encode(text, parseSpecial: false)
        // A token may start inside a UTF-8 character; such a piece stays whole.
        return Array(text.utf8) == Array(bytes[..<end]) && !ids.isEmpty ? ids : [token]
    }

    /// Forces the start of the summary after the round switched to it, one token per step (the
    /// token limit may start closing in between, and then takes over).
    private mutating func forceSummaryStart() throws {
        let text = #"],"summary":""#
        for id in runner.tokenizer.encode(text, parseSpecial: false) {
            decideLimitClosing()
            if closedAtTokenLimit { return }
            guard matcher.acceptToken(Int(id)) else { throw RuntimeError.forcedTextRejected(step: written, text: text) }
            metrics.forcedTokens += 1
            try append([id], kind: .forced)
        }
    }

    /// Takes the token limit's decisions before the next token: start closing the tree, or
    /// finish the final value. Both stick; the live loop and the replay call this at the same
    /// token boundaries (every one within the window), so they decide alike.
    private mutating func decideLimitClosing() {
        guard !finishingAtLimit else { return }
        let closing = limitClosing, written = written
        if tracker.isInFinalValue {
            let finish = closing.mustFinish(written: written) { shortestCompletionTokens() }
            finishingAtLimit = finish
        } else if !closingAtLimit {
            let close = closing.mustClose(written: written) { shortestCompletionTokens() }
            closingAtLimit = close
            if !close, !finishingToolCall, closing.isInWindow(written: written), isInsideToolCall, let through = matcher.shortestCompletionLengthThroughHoles {
                let finish = closing.mustFinishToolCall(written: written, bytesThroughCall: through) { tokensToToolResult() }
                finishingToolCall = finish
            }
        }
        metrics.closedAtTokenLimit = closedAtTokenLimit
    }

    /// The tokens of the grammar's shortest completion from here, as the tokenizer encodes
    /// it; nil when every completion needs a hole's text.
    private mutating func shortestCompletionTokens() -> Int? {
        guard let completion = matcher.shortestCompletion() else { return nil }
        return runner.tokenizer.encode(String(decoding: completion, as: UTF8.self), parseSpecial: false).count
    }

    /// Inside a begun tool call's parameters: every completion needs the tool's result.
    private var isInsideToolCall: Bool { matcher.pendingHole == nil && matcher.shortestLengthToHole != nil }

    /// The tokens of the shortest way to the pending tool call's result, as encoded.
    private mutating func tokensToToolResult() -> Int? {
        guard let bytes = matcher.shortestCompletionToHole() else { return nil }
        return runner.tokenizer.encode(String(decoding: bytes, as: UTF8.self), parseSpecial: false).count
    }

    /// Forces the first token of the grammar's shortest completion: up to the start of the
    /// final value while closing, to the end while finishing, to the tool's result while
    /// ending a tool call. One token per step, so that a run resumed in the middle of it goes
    /// on with the same tokens.
    private mutating func forceClosingToken() throws {
        let shortest = finishingToolCall && isInsideToolCall ? matcher.shortestCompletionToHole() : matcher.shortestCompletion()
        guard var completion = shortest, !completion.isEmpty else {
            throw RuntimeError.incomplete(maxTokens: maxTokens, text: String(decoding: tracker.document, as: UTF8.self))
        }
        if !finishingAtLimit, let end = tracker.bytesToFinalValue(in: completion) { completion.removeSubrange(end...) }
        let encoded = runner.tokenizer.encode(String(decoding: completion, as: UTF8.self), parseSpecial: false).first
        let id: Int32
        if let encoded, completion.starts(with: runner.tokenizer.tokenBytes(encoded)), matcher.acceptToken(Int(encoded)) {
            id = encoded
        } else if let byte = ConstrainedDecoder.singleByteTokens(matcher.compiled.vocabulary)[Int(completion[0])],
                  matcher.acceptToken(byte) {
            // Text that starts inside a UTF-8 character (the model stopped mid-character) does
            // not survive as a String: such a byte goes as its single-byte token.
            id = Int32(byte)
        } else {
            throw RuntimeError.forcedTextRejected(step: written, text: String(decoding: completion, as: UTF8.self))
        }
        metrics.forcedTokens += 1
        try append([id], kind: .forced)
    }

    /// Calls the tool the tree asks for (or takes its recorded outcome) and inserts its result.
    private mutating func callTool() async throws {
        guard let call = tracker.pendingToolCall else {
            throw RuntimeError.toolCallUnreadable(text: String(decoding: tracker.document.suffix(200), as: UTF8.self))
        }
        let index = toolCallBase + toolCalls.count
        let outcome: ToolOutcome
        if index < recordedOutcomes.count {
            outcome = recordedOutcomes[index]
        } else {
            let arguments = (try? JSONValue(parsing: call.parameters)) ?? .string(String(decoding: call.parameters, as: UTF8.self))
            try runner.recorder?.toolCallStarted(index: index, name: call.name, arguments: arguments,
                                                 taskPath: tracker.currentPath, tokenSeq: nextSeq)
            if case .string = arguments {
                outcome = ToolOutcome(tool: call.name, arguments: arguments,
                                      result: .failure(.malformedArguments(tool: call.name, message: "the parameters are not JSON")), duration: .zero)
            } else {
                outcome = await runner.tools.invoke(call.name, arguments: arguments)
            }
            try runner.recorder?.toolCallFinished(index: index, outcome: outcome)
        }
        try insertToolResult(outcome)
    }

    /// Records `outcome` and feeds its JSON at the pending hole.
    private mutating func insertToolResult(_ outcome: ToolOutcome) throws {
        toolCalls.append(outcome)
        metrics.toolCalls += 1
        metrics.toolSeconds += Double(outcome.duration.components.seconds) + Double(outcome.duration.components.attoseconds) / 1e18
        let encoded = ToolResultEncoder(tokenizer: runner.tokenizer, budget: runner.options.toolResultTokenBudget)
            .encode(outcome.modelJSON)
        guard matcher.fillHole(with: encoded.bytes) else { throw RuntimeError.toolResultRejected(tool: outcome.tool) }
        metrics.toolResultTokens += encoded.ids.count
        try append(encoded.ids, kind: .toolResult)
    }

    /// The sequence number of the next token in the run's log (prompts included).
    var nextSeq: Int { seqBase + memory.promptFedCount + memory.tokens.count }

    /// Replays a recorded run's tokens: the grammar, the tracker, the KV cache, the pruning
    /// and the sampler's random state end where the recorded run was. Stops before a later
    /// round's prompt and returns how many tokens it replayed.
    @discardableResult
    mutating func replay(_ progress: RecordedProgress, from offset: Int = 0) throws -> Int {
        recordedOutcomes = progress.toolCalls
        replaying = progress.isRecorded
        deferFeeding = true
        defer { replaying = false; deferFeeding = false }
        let log = progress.tokens
        var start = offset
        while start < log.count && log[start].kind != .prompt {
            let kind = log[start].kind
            var end = start + 1
            while end < log.count && log[end].kind == kind { end += 1 }
            let ids = log[start..<end].map(\.id)
            switch kind {
            case .toolResult:
                guard toolCallBase + toolCalls.count < recordedOutcomes.count else {
                    throw RuntimeError.replayMismatch(seq: nextSeq, reason: "a tool result with no recorded tool call")
                }
                let bytes = ids.flatMap { runner.tokenizer.tokenBytes($0) }
                guard matcher.fillHole(with: bytes) else {
                    throw RuntimeError.replayMismatch(seq: nextSeq, reason: "the grammar refuses the recorded tool result here")
                }
                toolCalls.append(recordedOutcomes[toolCallBase + toolCalls.count])
                metrics.toolCalls += 1
                metrics.toolResultTokens += ids.count
                try append(ids, kind: kind)
            default:
                // The sampler draws one number per sampled token; draw them again.
                if kind == .generated && runner.options.sampling.temperature > 0 && runner.options.sampling.topK != 1 {
                    for _ in ids { _ = sampler.rng.next() }
                }
                if mayEndRound(within: ids.count) || limitClosing.isInWindow(written: written + ids.count) {
                    // Token by token, deciding the round's end and the token limit's closing
                    // exactly where the live run did.
                    for id in ids {
                        if shouldEndRound { try switchToSummary() }
                        decideLimitClosing()
                        guard matcher.acceptToken(Int(id)) else {
                            throw RuntimeError.replayMismatch(seq: nextSeq, reason: "the grammar refuses recorded token \(id)")
                        }
                        count(1, kind)
                        try append([id], kind: kind)
                    }
                } else {
                    for (index, id) in ids.enumerated() where !matcher.acceptToken(Int(id)) {
                        throw RuntimeError.replayMismatch(seq: nextSeq + index, reason: "the grammar refuses recorded token \(id)")
                    }
                    count(ids.count, kind)
                    try append(ids, kind: kind)
                }
            }
            start = end
        }
        try flush()
        runner.onProgress?(RunProgress(metrics: metrics, liveKVSlots: memory.liveCount))
        return start - offset
    }

    /// Counts replayed tokens as generated or forced.
    private mutating func count(_ tokens: Int, _ kind: TokenKind) {
        if kind == .generated { metrics.generatedTokens += tokens } else { metrics.forcedTokens += tokens }
    }

    /// Feeds tokens to the tracker and the model, pruning wherever a subtask list closes.
    ///
    /// The token that closes a list is fed *after* the eviction, so every kept token is
    /// computed from exactly the kept tokens before it: the cache equals a fresh prefill of
    /// the kept tokens, and a resumed run (which replays through here) rebuilds it exactly.
    private mutating func append(_ ids: [Int32], kind: TokenKind) throws {
        for id in ids {
            let events = tracker.consume(runner.tokenizer.tokenBytes(id))
            if kind == .generated { history.append(id) }
            var closedLists: [Range<Int>] = []
            var finished: [TaskRecord] = []
            for event in events {
                switch event {
                case .taskFinished(let path, let thought, let conclusion, let toolName):
                    finished.append(TaskRecord(path: path, thought: thought, conclusion: conclusion, toolName: toolName))
                case .subtaskListClosed(_, let interior):
                    closedLists.append(interior)
                }
            }
            if !closedLists.isEmpty && runner.options.prune {
                try flush()
                for interior in closedLists {
                    for evicted in buffer.push(memory.tokenRange(within: interior)) where memory.evict(evicted) > 0 {
                        // Recorded while replaying too: marks made after the last commit were lost.
                        let offset = seqBase + memory.promptFedCount
                        try runner.recorder?.pruned(seqs: (evicted.lowerBound + offset)..<(evicted.upperBound + offset))
                    }
                }
            }
            pending.append((id, kind, tracker.document.count))
            taskPeak = max(taskPeak, keptTreeTokens)
            if finished.contains(where: { $0.path.count == 1 }) {
                largestTopLevelTask = max(largestTopLevelTask, taskPeak - keptAtTaskStart)
                keptAtTaskStart = keptTreeTokens
                taskPeak = keptTreeTokens
            }
            tasks += finished
            if !finished.isEmpty && !replaying {
                try flush()
                for task in finished { try runner.recorder?.taskFinished(task, round: roundNumber) }
            }
        }
        if !deferFeeding { try flush() }
        metrics.peakKVSlots = memory.peakLiveCount
        metrics.prunedTokens = memory.prunedCount
        peakKeptTreeTokens = max(peakKeptTreeTokens, keptTreeTokens)
        updateTimes()
        runner.onProgress?(RunProgress(metrics: metrics, liveKVSlots: memory.liveCount))
    }

    /// Feeds the pending tokens to the model in one batch, and to the recorder.
    private mutating func flush() throws {
        guard !pending.isEmpty else { return }
        var firstSeq = nextSeq
        let fedSlots = try memory.feed(pending.map(\.id), kinds: pending.map(\.kind), byteEnds: pending.map(\.byteEnd))
        if !replaying {
            try runner.recordKVRows(of: fedSlots, firstSeq: firstSeq)
            var start = 0
            while start < pending.count {
                let kind = pending[start].kind
                var end = start + 1
                while end < pending.count && pending[end].kind == kind { end += 1 }
                try runner.recorder?.appended(pending[start..<end].map(\.id), kind: kind, firstSeq: firstSeq,
                                              taskPath: tracker.currentPath, round: roundNumber)
                firstSeq += end - start
                start = end
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    private mutating func updateTimes() {
        metrics.decodeSeconds = seconds(since: decodeStart) - toolTime
        metrics.maskSeconds = grammarSampling.maskSeconds
    }

    /// This round as a whole run's report (benchmarks decode single rounds).
    func report(outputSchema: SchemaDocument) throws -> RunReport {
        let answer = try answer(outputSchema: outputSchema)
        return RunReport(output: answer.output, document: answer.document, tasks: tasks, toolCalls: toolCalls, metrics: metrics)
    }

    /// The round's document parsed and its answer checked against `outputSchema`.
    func answer(outputSchema: SchemaDocument) throws -> (output: JSONValue, document: JSONValue) {
        let text = String(decoding: tracker.document, as: UTF8.self)
        let document: JSONValue
        do { document = try JSONValue(parsing: tracker.document) } catch { throw RuntimeError.invalidJSON(error, text: text) }
        guard let output = document.objectValue?["answer"] else {
            throw RuntimeError.schemaViolation(["the tree has no \"answer\""], text: text)
        }
        let violations = outputSchema.validate(output)
        if !violations.isEmpty { throw RuntimeError.schemaViolation(violations.map { "\($0)" }, text: text) }
        return (output, document)
    }
}

func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}
