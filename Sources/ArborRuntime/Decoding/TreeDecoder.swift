import ArborGrammar
import ArborModel
import ArborSchema
import ArborTools
import Dispatch

/// One step of the decode loop, as its driver sees it.
public enum DecodeStep: Sendable, Equatable {
    /// The model chose this token by sampling (a token cut at a round boundary is followed
    /// by the rest of its bytes as forced tokens within the same step).
    case generated(Int32)
    /// Text the grammar forces, fed without sampling (jump-forward).
    case forced([Int32])
    /// A token of the token limit's closing text.
    case closing(Int32)
    /// The round used its budget and switched to its summary ending.
    case summaryStarted
    /// The grammar waits at a hole (a tool's result). The next step is this one again until
    /// the driver fills it (``TreeDecoder/insertToolResult(_:)``).
    case hole(String)
}

/// The decode loop, one step at a time: the one loop behind `arbor run` (a tree, round by
/// round, typed as JSON or in the `steps` or `prose` syntax) and `arbor generate --schema`
/// (a plain JSON value).
///
/// Each ``next()`` masks the backend's logits with the grammar (``GrammarProcessor``) and
/// samples, or feeds forced text; the steps' consumers follow: the tree tracker (or, for a
/// tree typed in steps or prose, the ``StepsReader``), pruning, the round's end
/// (``RoundEnding``), the token limit (``TokenLimit``) and the recorder.
/// Tool holes are the driver's: a ``DecodeStep/hole(_:)`` step waits for the result.
///
/// ```swift
/// while let step = try decoder.next() {
///     if case .hole = step { try await holes.fill(&decoder) }
/// }
/// ```
public struct TreeDecoder {
    /// What the decoder takes from its run.
    struct Settings {
        var sampling: SamplerSettings
        /// The tokens a round may write, generated and forced (tool results do not count).
        var maxTokens: Int
        var prune = true
        /// Finished subtask lists kept in working memory (``PruningBuffer``).
        var pruneBuffer = 0
        var maxTextLength = 0
        var hasTools = false
        var toolResultTokenBudget = 384
        /// False for a plain JSON value: no tasks, no pruning, and the whole value is the
        /// final value that the token limit finishes.
        var isTree = true
    }

    let backend: any DecodingBackend
    let tokenizer: BPETokenizer
    let settings: Settings
    var grammar: GrammarProcessor
    var sampler: Sampler
    var tracker = TreeTracker()
    /// Reads a tree typed in the `steps` or `prose` syntax (nil: the tree is JSON, read by
    /// ``tracker``).
    var steps: StepsReader?
    let memory: WorkingMemory
    var pruning: PruningBuffer
    var limit: TokenLimit
    var roundEnding: RoundEnding
    /// Receives tokens, finished tasks and pruned spans (nil: nothing is recorded).
    var recorder: (any RunRecorder)?
    /// The round's number (0 for the first) and where its tokens start in the run's log.
    var roundNumber = 0
    var seqBase = 0
    /// Tool calls made in earlier rounds.
    var toolCallBase = 0
    var onProgress: ((RunProgress) -> Void)?
    /// Asked before every step; true stops the decoder with ``RuntimeError/interrupted``.
    var shouldStop: (() -> Bool)?
    /// The round's numbers so far.
    public internal(set) var metrics = RunMetrics()
    /// Tasks in the order they finished.
    public internal(set) var tasks: [TaskRecord] = []
    /// The round's tool calls in order.
    public internal(set) var toolCalls: [ToolOutcome] = []
    /// Sampled tokens so far (the repetition penalty's window).
    var history: [Int32] = []
    /// Tokens consumed by the tracker but not yet fed to the backend, with where each ends.
    var pending: [(id: Int32, kind: TokenKind, byteEnd: Int)] = []
    var decodeStart = DispatchTime.now()
    var decodeStarted = false
    /// Wall-clock seconds spent in tool calls (not decoding).
    var toolTime = 0.0
    /// The grammar is complete and the loop has ended.
    private(set) var isFinished = false

    init(backend: any DecodingBackend, tokenizer: BPETokenizer, grammar compiled: CompiledGrammar, settings: Settings,
         memory: WorkingMemory? = nil, summaryGrammar: CompiledGrammar? = nil, roundBudget: Int? = nil, largestTopLevelTask: Int = 0,
         steps: StepsReader? = nil) {
        self.backend = backend
        self.tokenizer = tokenizer
        self.settings = settings
        grammar = GrammarProcessor(grammar: compiled, tokenizer: tokenizer, vocabularySize: backend.vocabularySize)
        sampler = Sampler(settings: settings.sampling)
        self.memory = memory ?? WorkingMemory(model: backend)
        pruning = PruningBuffer(capacity: settings.pruneBuffer)
        self.steps = steps
        limit = TokenLimit(steps == nil ? TokenLimitClosing(maxTokens: settings.maxTokens, grammar: compiled, hasTools: settings.hasTools)
                                        : AnswerReserveClosing(maxTokens: settings.maxTokens, answerReserve: StepsReader.answerReserve))
        roundEnding = RoundEnding(summaryGrammar: summaryGrammar, budget: roundBudget, maxTextLength: settings.maxTextLength,
                                  largestTopLevelTask: largestTopLevelTask)
    }

    /// The document's bytes so far (the text, for a tree typed in steps or prose).
    public var document: [UInt8] { steps?.text ?? tracker.document }
    /// Tokens written in the round, generated and forced.
    var written: Int { metrics.generatedTokens + metrics.forcedTokens }
    /// Tree tokens in the cache now (and about to be).
    var keptTreeTokens: Int { memory.liveCount + pending.count - memory.promptTokens.count }
    /// The sequence number of the next token in the run's log (prompts included).
    var nextSeq: Int { seqBase + memory.promptFedCount + memory.tokens.count }
    /// Whether the token limit closed the round.
    var closedAtTokenLimit: Bool { limit.closed }
    /// Whether what is written now is the document's final value (all of a plain value; the
    /// answer line of steps or prose).
    var isInFinalValue: Bool {
        if let steps { return steps.isInAnswer }
        return settings.isTree ? tracker.isInFinalValue : true
    }
    /// The path of the task being written (nil outside any task).
    var currentPath: NodePath? { steps?.currentPath ?? tracker.currentPath }
    /// The run-wide index of the next tool call.
    var nextToolCallIndex: Int { toolCallBase + toolCalls.count }

    /// Takes one step; nil once the grammar is complete and the model has ended (or the
    /// grammar allows nothing more).
    public mutating func next() throws -> DecodeStep? {
        guard !isFinished else { return nil }
        if !decodeStarted { decodeStart = DispatchTime.now(); decodeStarted = true }
        defer { updateTimes() }
        if shouldStop?() == true { throw RuntimeError.interrupted }
        if roundEnding.shouldEnd(kept: keptTreeTokens, atTopLevelBoundary: tracker.isAtTopLevelBoundary, closedAtTokenLimit: limit.isClosingTree) {
            try switchToSummary(.live)
            try forceSummaryStart()
            return .summaryStarted
        }
        if let hole = grammar.pendingHole { return .hole(hole) }
        // Steps and prose end wherever the grammar allows nothing more, whatever wrote the text.
        if steps != nil && grammar.isComplete && !grammar.canAcceptAnyMore { return finish() }
        if limit.endsWhenComplete && grammar.isComplete { return finish() }
        guard written < settings.maxTokens || limit.rule.finishesPastLimit else {
            // A plain value may stand complete at its limit (a number that could go on).
            if !settings.isTree && grammar.isComplete { return finish() }
            throw RuntimeError.incomplete(maxTokens: settings.maxTokens, text: String(decoding: document, as: UTF8.self))
        }
        decideLimitClosing()
        if limit.forcesNext(isInFinalValue: isInFinalValue, isInsideToolCall: grammar.isInsideToolCall) {
            if let id = try forceClosingToken() { return .closing(id) }
            // Steps or prose inside a call: the text can close once the call has its result.
            guard limit.writesOnUntilClosable else {
                throw RuntimeError.incomplete(maxTokens: settings.maxTokens, text: String(decoding: document, as: UTF8.self))
            }
        }
        // While the round may still end with a summary, or near the token limit, forced
        // text goes one token per step, so the end is decided before every token — as a
        // replay decides it.
        let boundary = roundEnding.mayEnd(kept: keptTreeTokens, within: 1) ? tracker : nil
        let forced = grammar.acceptForced(limit: roundEnding.mayStillEnd ? 1 : limit.rule.forcedStepLimit(written: written),
                                          stoppingAtBoundaryOf: boundary)
        if !forced.isEmpty {
            metrics.forcedTokens += forced.count
            try append(forced, kind: .forced)
            return .forced(forced)
        }
        if let ids = try proseComputation() { return .forced(ids) }
        if let ids = try answerLineStart() { return .forced(ids) }
        if let segmented = backend as? any SegmentedBackend {
            try segmented.prepareNextToken(grammar: grammar.matcher, sampling: settings.sampling, tokensLeft: settings.maxTokens - written)
        }
        let token = grammar.sample(logits: backend.logits, sampler: &sampler, history: history)
        guard token >= 0 else { throw RuntimeError.noTokenAllowed(step: written) }
        if tokenizer.isEndOfGeneration(token) {
            if grammar.isComplete { return finish() }
            throw RuntimeError.noTokenAllowed(step: written)
        }
        let pieces = boundary == nil ? [token] : piecesUpToBoundary(token)
        guard grammar.accept(pieces[0]) else { throw RuntimeError.noTokenAllowed(step: written) }
        metrics.generatedTokens += 1
        try append([pieces[0]], kind: .generated)
        // The rest of a cut token is forced text: decided before each token like any other.
        for id in pieces.dropFirst() {
            decideLimitClosing()
            if limit.isClosingTree { break }
            guard grammar.accept(id) else { throw RuntimeError.noTokenAllowed(step: written) }
            metrics.forcedTokens += 1
            try append([id], kind: .forced)
        }
        if steps == nil && grammar.isComplete && !grammar.canAcceptAnyMore { isFinished = true }
        return .generated(token)
    }

    private mutating func finish() -> DecodeStep? {
        isFinished = true
        return nil
    }

    /// Records `outcome` (a tool call's, made by the driver) and feeds its JSON at the pending hole.
    mutating func insertToolResult(_ outcome: ToolOutcome) throws {
        toolCalls.append(outcome)
        metrics.toolCalls += 1
        metrics.toolSeconds += outcome.duration.inSeconds
        if steps?.syntax == .prose { return try insertProseResult(outcome) }
        // Steps show a result as a person reads it (a number where it is one).
        let value = steps == nil ? outcome.modelJSON : StepsDocument.resultValue(of: outcome)
        let encoded = ToolResultEncoder(tokenizer: tokenizer, budget: settings.toolResultTokenBudget).encode(value)
        guard grammar.fillHole(with: encoded.bytes) else { throw RuntimeError.toolResultRejected(tool: outcome.tool) }
        metrics.toolResultTokens += encoded.ids.count
        try append(encoded.ids, kind: .toolResult)
    }

    /// Lets `fill` write the pending hole into the grammar state and feeds what it wrote as
    /// forced text (a plain value's hole, filled by the caller of `arbor generate`'s loop).
    mutating func fillHole(_ fill: (inout GrammarMatcher) throws -> [UInt8]) throws {
        let bytes = try grammar.fillHole(fill)
        let ids = tokenizer.encode(String(decoding: bytes, as: UTF8.self), parseSpecial: false)
        metrics.forcedTokens += ids.count
        try append(ids, kind: .forced)
    }

    mutating func updateTimes() {
        metrics.decodeSeconds = seconds(since: decodeStart) - toolTime
        metrics.maskSeconds = grammar.maskSeconds
    }
}
