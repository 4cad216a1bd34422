import ArborSchema
import GRDB

/// One entry of a run's append-only token log.
///
/// `seq` is dense from 0 within a run: the log is the exact sequence the model saw, so
/// replaying it (skipping `pruned` tokens) rebuilds the working memory. `position` is the KV
/// position the token occupied when decoded, when the runtime wants it recorded.
///
/// ```swift
/// try store.appendTokens([TokenRecord(runID: id, seq: 0, tokenID: 1, kind: .prompt, round: 0)], to: id)
/// ```
public struct TokenRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "token"

    public var runID: String
    public var seq: Int
    public var tokenID: Int32
    public var kind: Kind
    public var round: Int
    /// The task being decoded; `nil` for prompt tokens outside any task.
    public var taskPath: NodePath?
    public var pruned: Bool
    public var position: Int?

    public enum Columns {
        public static let runID = Column(CodingKeys.runID)
        public static let seq = Column(CodingKeys.seq)
        public static let tokenID = Column(CodingKeys.tokenID)
        public static let kind = Column(CodingKeys.kind)
        public static let round = Column(CodingKeys.round)
        public static let taskPath = Column(CodingKeys.taskPath)
        public static let pruned = Column(CodingKeys.pruned)
        public static let position = Column(CodingKeys.position)
    }

    public init(
        runID: String, seq: Int, tokenID: Int32, kind: Kind, round: Int,
        taskPath: NodePath? = nil, pruned: Bool = false, position: Int? = nil
    ) {
        self.runID = runID
        self.seq = seq
        self.tokenID = tokenID
        self.kind = kind
        self.round = round
        self.taskPath = taskPath
        self.pruned = pruned
        self.position = position
    }
}

extension TokenRecord {
    /// Where a token in the log came from.
    public enum Kind: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        /// Part of the prompt (instructions, inputs, previous summary).
        case prompt
        /// Sampled by the model.
        case generated
        /// Written by the grammar without sampling (the only allowed token).
        case forced
        /// Text of a tool's result inserted into the context.
        case toolResult
    }
}
