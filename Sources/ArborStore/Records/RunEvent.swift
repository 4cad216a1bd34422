import Foundation
import GRDB

/// One thing that happened in a run, in the order it happened: what a live view (`arbor serve`)
/// replays and follows.
///
/// `seq` counts a run's events from 1 without gaps; it is assigned in the transaction that
/// commits what the event describes, so an event is never visible before its data, and a
/// reader that has seen event `n` resumes with the events after `n`. `payloadJSON` is a JSON
/// object whose members depend on ``kind`` (see ``Kind``).
///
/// ```swift
/// let recent = try store.events(runID: id, after: lastSeen)
/// ```
public struct RunEvent: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "runEvent"

    /// What an event says; its payload's members are listed with each case.
    public enum Kind: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        /// The run's row was created: `workflow`, `status`.
        case created
        /// A task began: `round`, `path`, `seq` (its first token).
        case nodeOpened
        /// A task ended: `round`, `path`, `thought`, `conclusion`.
        case nodeClosed
        /// Text the model wrote (or the grammar forced) since the last delta: `round`, `path`
        /// (null outside any task), `text`, `firstSeq`, `tokens`.
        case text
        /// A tool is about to be called: `index`, `tool`, `arguments`, `path`.
        case toolStarted
        /// It returned: `index`, `status`, `result` or `error`, `seconds`.
        case toolFinished
        /// Tokens left the KV cache: `from`, `to` (token seqs, end excluded).
        case pruned
        /// A summary round ended: `number`, `summary`, `promptTokens`, `generatedTokens`, `peakKeptTokens`.
        case roundEnded
        /// A commit of the token log: `tokens` (the log's length), `kvSlots` (in use), `round`.
        case checkpoint
        /// The run ended with its answer: `output`, `closedAtTokenLimit`.
        case finished
        /// The run was stopped and can be resumed.
        case paused
        /// The run failed: `error`.
        case failed
        /// A paused or failed run runs again.
        case resumed
    }

    public var runID: String
    public var seq: Int
    public var kind: Kind
    public var payloadJSON: String
    public var createdAt: Date

    public enum Columns {
        public static let runID = Column(CodingKeys.runID)
        public static let seq = Column(CodingKeys.seq)
    }

    public init(runID: String, seq: Int, kind: Kind, payloadJSON: String, createdAt: Date = Date()) {
        self.runID = runID
        self.seq = seq
        self.kind = kind
        self.payloadJSON = payloadJSON
        self.createdAt = createdAt
    }
}
