import ArborModel
import ArborRuntime
import ArborSchema
import ArborStore
import ArborTools
import Dispatch
import Foundation

/// Writes a run into the SQLite store as it happens.
///
/// Tokens are buffered and committed in one transaction at every task boundary, before and
/// after every tool call, and every ``commitInterval`` tokens in between: a kill loses at
/// most the tokens since the last commit, never a finished tool call.
///
/// Each commit also writes the run's events (``RunEvent``: tasks opened and closed, text,
/// pruning, a checkpoint) for live views such as `arbor serve`; while tokens arrive, a commit
/// happens at least every ``liveInterval`` so that a page follows the run closely.
///
/// Every call runs on the decoding thread, so ``timings`` adds up the time spent in here:
/// what the store costs a run, measured directly.
public final class StoreRecorder: CommittingRunRecorder {
    public let store: RunStore
    public let runID: String
    /// The most tokens held in memory between commits.
    public var commitInterval = 64
    /// The round the run is in (summary rounds count up from 0).
    public var round = 0
    /// Whether each token's KV rows are stored too (about 23 KB per token for the default
    /// model; rows leave the store when their token leaves the cache). With them a resume
    /// copies the context back instead of recomputing it.
    public var keepsKVRows = true
    /// Whether commits write the run's events (``RunEvent``) too.
    public var recordsEvents = true
    /// With events, the longest tokens wait for a commit (seconds): what a live view lags at
    /// most. A commit in WAL mode costs well under a millisecond, so a few per second are noise
    /// against decoding.
    public var liveInterval = 0.15
    /// The bytes of token ids, for the text in events (the model's tokenizer).
    public var tokenBytes: (([Int32]) -> [UInt8])? {
        get { events.tokenBytes }
        set { events.tokenBytes = newValue }
    }
    /// Time spent in this recorder so far, by part.
    public private(set) var timings = RecorderTimings()
    /// Whether another process asked the run to stop (`arbor serve`'s button), as read at the
    /// last commit: the run checks it before each step and ends paused.
    public private(set) var stopIsRequested = false
    private var tokens: [TokenRecord] = []
    private var prunedRanges: [Range<Int>] = []
    private var nodes: [TreeNode] = []
    private var kvRows: [(firstSeq: Int, rowBytes: Int, bytes: [UInt8])] = []
    private var releasedRanges: [Range<Int>] = []
    /// Nesting of timed calls (a commit inside `appended` is timed once).
    private var timingDepth = 0
    private var events = RunEventBuffer()
    private var lastCommit = DispatchTime.now()

    public init(store: RunStore, runID: String) {
        self.store = store
        self.runID = runID
        // a resumed run's live counters go on from its last commit
        if let last = try? store.lastEvent(runID: runID, kind: .checkpoint),
           case .object(let payload)? = try? JSONValue(parsing: last.payloadJSON) {
            events.continueAfter(checkpoint: payload)
        }
    }

    public func appended(_ ids: [Int32], kind: TokenKind, firstSeq: Int, taskPath: NodePath?, round: Int) throws {
        try timed {
            for (offset, id) in ids.enumerated() {
                tokens.append(TokenRecord(runID: runID, seq: firstSeq + offset, tokenID: id, kind: TokenRecord.Kind(kind), round: round, taskPath: taskPath))
            }
            timings.tokens += ids.count
            if recordsEvents { events.appended(ids, kind: kind, firstSeq: firstSeq, taskPath: taskPath, round: round) }
            if tokens.count >= commitInterval || (recordsEvents && seconds(since: lastCommit) >= liveInterval) { try commit() }
        }
    }

    public func pruned(seqs: Range<Int>) throws {
        prunedRanges.append(seqs)
        releasedRanges.append(seqs)
        if recordsEvents { events.pruned(seqs) }
    }

    public func kvRowsComputed(firstSeq: Int, slots: [Int32], from model: any KVRowTransfer) throws {
        guard keepsKVRows else { return }
        timed {
            let start = DispatchTime.now()
            kvRows.append((firstSeq, model.kvRowByteCount, model.copyRows(of: slots)))
            timings.rowCopySeconds += seconds(since: start)
            timings.rowBytes += slots.count * model.kvRowByteCount
        }
    }

    public func kvRowsReleased(seqs: Range<Int>) throws {
        releasedRanges.append(seqs)
        if recordsEvents { events.released(seqs) }
    }

    public func taskFinished(_ task: TaskRecord, round: Int) throws {
        try timed {
            nodes.append(TreeNode(runID: runID, path: task.path, round: round, thought: task.thought,
                                  conclusion: task.conclusion, state: .closed))
            if recordsEvents { events.closed(task, round: round) }
            try commit()
        }
    }

    public func toolCallStarted(index: Int, name: String, arguments: JSONValue, taskPath: NodePath?, tokenSeq: Int) throws {
        try timed {
            // A call started before a kill and never finished is already recorded: it is made again.
            if let existing = try store.toolCall(runID: runID, seq: index), existing.status == .started {
                try commit()
                return
            }
            try commit { [runID] transaction in
                try transaction.recordToolCallStarted(runID: runID, seq: index, toolName: name, argumentsJSON: arguments.compactString,
                                                      nodePath: taskPath, tokenSeq: tokenSeq)
            }
        }
    }

    public func toolCallFinished(index: Int, outcome: ToolOutcome) throws {
        let recorded: ToolCallOutcome
        switch outcome.result {
        case .success(let value): recorded = .succeeded(resultJSON: value.compactString)
        case .failure(let error): recorded = .failed(error: error.description)
        }
        try commit { [runID] transaction in
            try transaction.recordToolCallFinished(runID: runID, seq: index, outcome: recorded)
        }
    }

    public func roundFinished(_ round: RoundRecord) throws {
        let record = Round(runID: runID, number: round.number, summary: round.summary, promptTokens: round.promptTokens,
                           generatedTokens: round.treeTokens, peakKeptTokens: round.peakKeptTokens, finishedAt: Date())
        try commit { transaction in try transaction.saveRound(record) }
    }

    /// Writes everything buffered in one transaction.
    public func commit() throws {
        try commit(nil)
    }

    /// Writes everything buffered, plus `extra`, in one transaction.
    public func commit(_ extra: ((StoreTransaction) throws -> Void)?) throws {
        try timed {
            let (tokens, pruned, nodes, kvRows, released) = (self.tokens, prunedRanges, self.nodes, self.kvRows, releasedRanges)
            let liveEvents = recordsEvents ? events.takeForCommit() : []
            let start = DispatchTime.now()
            var statementSeconds = 0.0
            var stopIsRequested = false
            try store.checkpoint { [runID] transaction in
                let statementsStart = DispatchTime.now()
                if !tokens.isEmpty { try transaction.appendTokens(tokens, to: runID) }
                for batch in kvRows {
                    try batch.bytes.withUnsafeBytes {
                        try transaction.appendKVRows(runID: runID, firstSeq: batch.firstSeq, rowBytes: batch.rowBytes, data: $0)
                    }
                }
                for range in pruned { _ = try transaction.markPruned(runID, seqs: range) }
                // after the inserts: a token may be computed and leave the cache between two commits
                for range in released { try transaction.releaseKVRows(runID: runID, seqs: range) }
                for node in nodes { try transaction.upsertNodeWithAncestors(node) }
                for event in liveEvents { try transaction.appendEvent(runID: runID, kind: event.kind, payload: event.payload) }
                try extra?(transaction)
                stopIsRequested = try transaction.isStopRequested(runID: runID)
                statementSeconds = seconds(since: statementsStart)
            }
            timings.statementSeconds += statementSeconds
            timings.commitSeconds += seconds(since: start) - statementSeconds
            timings.commits += 1
            self.stopIsRequested = stopIsRequested
            lastCommit = DispatchTime.now()
            self.tokens.removeAll(keepingCapacity: true)
            prunedRanges.removeAll()
            self.nodes.removeAll()
            self.kvRows.removeAll(keepingCapacity: true)
            releasedRanges.removeAll()
        }
    }

    /// Runs `body`, adding its time to ``timings`` unless an outer timed call does.
    private func timed<T>(_ body: () throws -> T) rethrows -> T {
        timingDepth += 1
        let start = DispatchTime.now()
        defer {
            timingDepth -= 1
            if timingDepth == 0 { timings.totalSeconds += seconds(since: start) }
        }
        return try body()
    }
}

/// Where the decoding thread's time inside a ``StoreRecorder`` went: the direct cost of the store.
public struct RecorderTimings: Codable, Sendable, Equatable {
    /// Everything: buffering tokens, copying KV rows, commits (a commit's checkpoint included
    /// when the store checkpoints on commit, or when the log reached its cap).
    public var totalSeconds = 0.0
    /// Copying each token's KV rows out of the model's cache.
    public var rowCopySeconds = 0.0
    /// The statements inside the commits' transactions (token log, KV rows, tree, tool calls).
    public var statementSeconds = 0.0
    /// Beginning and committing those transactions: the pages written to the WAL, and any
    /// checkpoint run on the committing thread.
    public var commitSeconds = 0.0
    public var commits = 0
    /// Tokens recorded, and bytes of KV rows copied.
    public var tokens = 0
    public var rowBytes = 0

    public init() {}

    /// Buffering tokens and the rest (tool-call lookups).
    public var otherSeconds: Double { max(0, totalSeconds - rowCopySeconds - statementSeconds - commitSeconds) }
    /// Microseconds per recorded token.
    public var microsecondsPerToken: Double { tokens > 0 ? 1e6 * totalSeconds / Double(tokens) : 0 }

    public mutating func add(_ other: RecorderTimings) {
        totalSeconds += other.totalSeconds
        rowCopySeconds += other.rowCopySeconds
        statementSeconds += other.statementSeconds
        commitSeconds += other.commitSeconds
        commits += other.commits
        tokens += other.tokens
        rowBytes += other.rowBytes
    }
}

/// Seconds from `start` to now, on the clock the timings use.
private func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}
