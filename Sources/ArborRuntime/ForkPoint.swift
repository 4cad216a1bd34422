import ArborModel
import ArborSchema

/// Where a fork of a recorded run starts: right after the token that closes a task.
///
/// Each summary round writes its own tree, so a task's path (`0.1`) repeats from round to
/// round; a fork point names the round as well. The token log holds every round: a later
/// round's prompt tokens (`.prompt`) start its tree.
///
/// ```swift
/// let progress = try store.recordedProgress(runID: "r-7f3k2q")
/// if let point = ForkPoint(progress: progress, endingAfterTask: NodePath([0, 1]), inRound: 2, tokenizer: tokenizer) {
///     try transaction.copyTokenLog(from: "r-7f3k2q", count: progress.promptTokens.count + point.treeTokens, to: newID)
/// }
/// ```
public struct ForkPoint: Sendable, Equatable {
    /// A task finished in the kept tokens, with the round it belongs to.
    public struct FinishedTask: Sendable, Equatable {
        public var round: Int
        public var task: TaskRecord
    }

    /// Tokens of the log after the first prompt (later rounds' prompts included) the fork keeps.
    public var treeTokens: Int
    /// Tool calls whose results lie in the kept tokens.
    public var toolCalls: Int
    /// The task the fork departs after, and its summary round (0 for the first).
    public var path: NodePath
    public var round: Int
    /// The tasks that finished in the kept tokens, in the order they finished.
    public var finishedTasks: [FinishedTask]

    /// Follows the recorded tokens round by round through the tree tracker and stops after
    /// the task at `path` (zero-based, as `arbor inspect` shows it) of round `round` closes.
    /// With `round` nil: the last round in which a task at `path` closed. Nil when there is
    /// no such task.
    public init?(progress: RecordedProgress, endingAfterTask path: NodePath, inRound round: Int? = nil, tokenizer: BPETokenizer) {
        var tracker = TreeTracker()
        var currentRound = 0
        var toolCalls = 0
        var finished: [FinishedTask] = []
        var found: ForkPoint?
        var previous: TokenKind?
        for (index, token) in progress.tokens.enumerated() {
            defer { previous = token.kind }
            if token.kind == .prompt {
                // A later round's prompt: its tree starts afresh.
                if previous != .prompt {
                    if let round, currentRound >= round { break }
                    currentRound += 1
                    tracker = TreeTracker()
                }
                continue
            }
            if token.kind == .toolResult && previous != .toolResult { toolCalls += 1 }
            var matched = false
            for case .taskFinished(let finishedPath, let thought, let conclusion, let toolName) in tracker.consume(tokenizer.tokenBytes(token.id)) {
                finished.append(FinishedTask(round: currentRound, task: TaskRecord(path: finishedPath, thought: thought,
                                                                                   conclusion: conclusion, toolName: toolName)))
                matched = matched || finishedPath == path && (round == nil || round == currentRound)
            }
            if matched {
                found = ForkPoint(treeTokens: index + 1, toolCalls: toolCalls, path: path, round: currentRound, finishedTasks: finished)
                if round != nil { break }
            }
        }
        guard let found else { return nil }
        self = found
    }

    private init(treeTokens: Int, toolCalls: Int, path: NodePath, round: Int, finishedTasks: [FinishedTask]) {
        self.treeTokens = treeTokens
        self.toolCalls = toolCalls
        self.path = path
        self.round = round
        self.finishedTasks = finishedTasks
    }
}
