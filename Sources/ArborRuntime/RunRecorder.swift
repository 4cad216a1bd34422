import Foundation
import ArborModel
import ArborSchema
import ArborTools

/// Receives what a run must not lose, as it happens; ArborRecording's `StoreRecorder`
/// implements it over the SQLite store. Every method may throw: a run whose record cannot be written stops
/// rather than go on unrecorded.
///
/// Token sequence numbers (`seq`) count every token the model saw, prompt included, from 0.
public protocol RunRecorder: AnyObject {
    /// Tokens appended in order, starting at `firstSeq`, all of one kind and task (`taskPath`
    /// nil: outside any task, such as the prompt or the answer).
    func appended(_ tokens: [Int32], kind: TokenKind, firstSeq: Int, taskPath: NodePath?, round: Int) throws
    /// Tokens no longer in the KV cache.
    func pruned(seqs: Range<Int>) throws
    /// A task closed: a commit point.
    func taskFinished(_ task: TaskRecord, round: Int) throws
    /// A tool is about to be called (the `index`-th call of the run): a commit point.
    func toolCallStarted(index: Int, name: String, arguments: JSONValue, taskPath: NodePath?, tokenSeq: Int) throws
    /// The call returned: a commit point, before its result is fed to the model.
    func toolCallFinished(index: Int, outcome: ToolOutcome) throws
    /// A round ended (with its summary, or the answer for the last): a commit point.
    func roundFinished(_ round: RoundRecord) throws
    /// Whether the recorder keeps KV rows (``kvRowsComputed(firstSeq:slots:from:)``); when
    /// false the runtime does not hand them over.
    var keepsKVRows: Bool { get }
    /// The model just computed the KV rows of tokens `firstSeq ..< firstSeq + slots.count`,
    /// cached in `slots`; the recorder copies them out of `model` now (they change when the
    /// token is re-rotated). With them a resume copies the context back instead of recomputing it.
    func kvRowsComputed(firstSeq: Int, slots: [Int32], from model: any KVRowTransfer) throws
    /// Tokens of an ended round that left the KV cache (pruned tokens are reported by
    /// ``pruned(seqs:)``): their rows are no longer needed.
    func kvRowsReleased(seqs: Range<Int>) throws
}

extension RunRecorder {
    public func roundFinished(_ round: RoundRecord) throws {}
    public var keepsKVRows: Bool { false }
    public func kvRowsComputed(firstSeq: Int, slots: [Int32], from model: any KVRowTransfer) throws {}
    public func kvRowsReleased(seqs: Range<Int>) throws {}
}

/// One summary round of a run.
public struct RoundRecord: Codable, Sendable, Equatable {
    public var number: Int
    /// The summary the round ended with; nil for the round that answered.
    public var summary: String?
    /// Prompt tokens fed for the round (later rounds reuse the instructions' cache).
    public var promptTokens: Int
    /// Tree tokens of the round (generated, forced and from tools).
    public var treeTokens: Int
    /// The most tree tokens kept in the cache at once during the round.
    public var peakKeptTokens: Int
    public var decodeSeconds: Double
    /// The most KV slots in use at once during the round, its prompt included.
    public var peakKVSlots = 0
    /// Tokens of the round's whole prompt (instructions, inputs, the previous summary), fed
    /// or kept from the previous round.
    public var promptLength = 0
    /// Tree tokens still in the cache when the round ended.
    public var endKeptTokens = 0

    /// Tree tokens per second of decoding in this round.
    public var tokensPerSecond: Double { decodeSeconds > 0 ? Double(treeTokens) / decodeSeconds : 0 }
}

/// What a recorded run already did, for resuming it: its token log after the first prompt and
/// its finished tool calls in order. A later round's prompt appears in the log as `.prompt`
/// tokens (only those fed: the instructions' cache is reused).
public struct RecordedProgress: Sendable {
    /// The prompt as recorded (empty when the run was killed before its first commit).
    public var promptTokens: [Int32]
    public var tokens: [(id: Int32, kind: TokenKind)]
    public var toolCalls: [ToolOutcome]
    /// Whether the tokens are already in the run's record (a resume) or new text to steer the
    /// tree with (then the recorder receives them like any other).
    public var isRecorded: Bool
    /// The recorded KV rows of tokens by seq (prompt included), when the record keeps one for
    /// every token before the last that its pruning and rounds leave cached: the replay copies
    /// them back instead of recomputing (a token without a row leaves the cache during the
    /// replay, before anything reads it). Nil when rows are lost: the replay computes.
    public var kvRows: KVRowReader?
    /// The size of every row ``kvRows`` gives; rows are used only if the model's are the same.
    public var kvRowByteCount: Int?

    /// Calls its second argument with the recorded row of each token in the range that has
    /// one, in seq order (the bytes are valid during the call only).
    public typealias KVRowReader = @Sendable (Range<Int>, (Int, UnsafeRawBufferPointer) throws -> Void) throws -> Void

    public init(promptTokens: [Int32], tokens: [(id: Int32, kind: TokenKind)], toolCalls: [ToolOutcome], isRecorded: Bool = true,
                kvRows: KVRowReader? = nil, kvRowByteCount: Int? = nil) {
        self.isRecorded = isRecorded
        self.promptTokens = promptTokens
        self.tokens = tokens
        self.toolCalls = toolCalls
        self.kvRows = kvRows
        self.kvRowByteCount = kvRowByteCount
    }

    /// The seq of the last recorded token (prompt included), or nil when nothing is recorded.
    var lastSeq: Int? {
        let count = promptTokens.count + tokens.count
        return count > 0 ? count - 1 : nil
    }
}
