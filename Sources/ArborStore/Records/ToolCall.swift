import ArborSchema
import Foundation
import GRDB

/// Where a tool call stands.
public enum ToolCallStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// Recorded before the call was made; no result yet. On resume the runtime must decide
    /// (the call may or may not have reached the tool).
    case started
    case succeeded
    case failed
}

/// One tool invocation of a run, recorded exactly once per `(runID, seq)`.
///
/// `seq` numbers the run's tool calls from 0 in decode order, so a resumed run that reaches
/// its n-th call finds it with ``RunStore/toolCall(runID:seq:)`` and reuses the result.
///
/// ```swift
/// try store.recordToolCallStarted(runID: id, seq: 0, toolName: "search", argumentsJSON: #"{"q":"x"}"#)
/// try store.recordToolCallFinished(runID: id, seq: 0, resultJSON: #"{"hits":3}"#)
/// ```
public struct ToolCall: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "toolCall"

    public var runID: String
    public var seq: Int
    public var toolName: String
    public var argumentsJSON: String
    /// The task that made the call, and the token log position where its result goes.
    public var nodePath: NodePath?
    public var tokenSeq: Int?
    public var status: ToolCallStatus
    public var resultJSON: String?
    public var errorText: String?
    public var startedAt: Date
    public var finishedAt: Date?

    public enum Columns {
        public static let runID = Column(CodingKeys.runID)
        public static let seq = Column(CodingKeys.seq)
        public static let toolName = Column(CodingKeys.toolName)
        public static let status = Column(CodingKeys.status)
        public static let resultJSON = Column(CodingKeys.resultJSON)
        public static let errorText = Column(CodingKeys.errorText)
        public static let finishedAt = Column(CodingKeys.finishedAt)
    }

    public init(
        runID: String, seq: Int, toolName: String, argumentsJSON: String,
        nodePath: NodePath? = nil, tokenSeq: Int? = nil, status: ToolCallStatus = .started,
        resultJSON: String? = nil, errorText: String? = nil,
        startedAt: Date = Date(), finishedAt: Date? = nil
    ) {
        self.runID = runID
        self.seq = seq
        self.toolName = toolName
        self.argumentsJSON = argumentsJSON
        self.nodePath = nodePath
        self.tokenSeq = tokenSeq
        self.status = status
        self.resultJSON = resultJSON
        self.errorText = errorText
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}
