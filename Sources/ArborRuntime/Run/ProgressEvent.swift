import ArborModel
import ArborSchema
import ArborTools

/// A moment of a run worth telling a watcher about: a task finished, a tool is being called.
///
/// The run's record gets far more (every token); these are the points a person or a client
/// following a long run wants to see, such as an MCP client's progress notifications.
public enum ProgressEvent: Sendable, Equatable {
    /// A task of the reasoning tree closed, with its conclusion.
    case taskFinished(TaskRecord)
    /// The runtime is about to call a tool from inside the tree.
    case toolCalled(name: String, arguments: JSONValue)
}

/// A recorder that tells ``onEvent`` about finished tasks and tool calls and passes
/// everything on to the recorder it wraps (or nothing, when the run is not recorded).
///
/// Events are reported only for what is decoded now, not for what a resume replays: the
/// runtime does not hand replayed tasks to its recorder.
final class ObservingRecorder: RunRecorder {
    let inner: (any RunRecorder)?
    let onEvent: (ProgressEvent) -> Void

    init(inner: (any RunRecorder)?, onEvent: @escaping (ProgressEvent) -> Void) {
        self.inner = inner
        self.onEvent = onEvent
    }

    func appended(_ tokens: [Int32], kind: TokenKind, firstSeq: Int, taskPath: NodePath?, round: Int) throws {
        try inner?.appended(tokens, kind: kind, firstSeq: firstSeq, taskPath: taskPath, round: round)
    }

    func pruned(seqs: Range<Int>) throws {
        try inner?.pruned(seqs: seqs)
    }

    func taskFinished(_ task: TaskRecord, round: Int) throws {
        try inner?.taskFinished(task, round: round)
        onEvent(.taskFinished(task))
    }

    func toolCallStarted(index: Int, name: String, arguments: JSONValue, taskPath: NodePath?, tokenSeq: Int) throws {
        try inner?.toolCallStarted(index: index, name: name, arguments: arguments, taskPath: taskPath, tokenSeq: tokenSeq)
        onEvent(.toolCalled(name: name, arguments: arguments))
    }

    func toolCallFinished(index: Int, outcome: ToolOutcome) throws {
        try inner?.toolCallFinished(index: index, outcome: outcome)
    }

    func roundFinished(_ round: RoundRecord) throws {
        try inner?.roundFinished(round)
    }

    var keepsKVRows: Bool { inner?.keepsKVRows ?? false }

    func kvRowsComputed(firstSeq: Int, slots: [Int32], from model: any KVRowTransfer) throws {
        try inner?.kvRowsComputed(firstSeq: firstSeq, slots: slots, from: model)
    }

    func kvRowsReleased(seqs: Range<Int>) throws {
        try inner?.kvRowsReleased(seqs: seqs)
    }
}
