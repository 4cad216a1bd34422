import ArborSchema
import Foundation
import GRDB

/// Where a run stands.
public enum RunStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case running, paused, completed, failed
}

/// One workflow execution: everything needed to check that a resume uses the same spec and
/// model, plus its outcome and progress counters.
///
/// JSON-valued fields (`inputsJSON`, `samplingJSON`, `outputJSON`) hold JSON text as the
/// runtime serialised it; the schema checks it is valid JSON. The progress counters are kept
/// by the store itself (``RunStore/appendTokens(_:to:)``, tool calls, rounds).
///
/// ```swift
/// let run = Run(id: Run.makeID(), workflow: "triage", specText: yaml, specSHA256: specHash,
///               inputsJSON: #"{"ticket":"…"}"#, modelPath: path, modelSHA256: modelHash,
///               samplingJSON: #"{"temperature":0}"#)
/// try store.createRun(run)
/// ```
public struct Run: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "run"

    public var id: String
    public var workflow: String
    public var specText: String
    /// Lower-case hex SHA-256 of `specText`'s UTF-8 bytes.
    public var specSHA256: String
    public var inputsJSON: String
    public var modelPath: String
    /// Lower-case hex SHA-256 of the model file.
    public var modelSHA256: String
    public var samplingJSON: String
    public var status: RunStatus
    public var createdAt: Date
    public var updatedAt: Date
    public var outputJSON: String?
    public var errorText: String?
    /// Tokens in the log (the next token's seq).
    public var tokenCount: Int
    /// Tool calls recorded (started or finished).
    public var toolCallCount: Int
    /// Rounds recorded.
    public var roundCount: Int
    /// The run this one was forked from, if any, and the node it was forked at.
    public var forkedFromRunID: String?
    public var forkedAtPath: NodePath?
    /// The summary round of ``forkedAtPath`` (paths repeat in every round); nil before v4.
    public var forkedAtRound: Int?
    /// The token limit closed the run's tree: its answer was written in the tokens held in
    /// reserve, or cut to its shortest valid form — not a normal finish.
    public var closedAtTokenLimit: Bool

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let workflow = Column(CodingKeys.workflow)
        public static let specSHA256 = Column(CodingKeys.specSHA256)
        public static let modelSHA256 = Column(CodingKeys.modelSHA256)
        public static let status = Column(CodingKeys.status)
        public static let createdAt = Column(CodingKeys.createdAt)
        public static let updatedAt = Column(CodingKeys.updatedAt)
        public static let outputJSON = Column(CodingKeys.outputJSON)
        public static let errorText = Column(CodingKeys.errorText)
        public static let tokenCount = Column(CodingKeys.tokenCount)
        public static let toolCallCount = Column(CodingKeys.toolCallCount)
        public static let roundCount = Column(CodingKeys.roundCount)
        public static let closedAtTokenLimit = Column(CodingKeys.closedAtTokenLimit)
    }

    public init(
        id: String, workflow: String, specText: String, specSHA256: String, inputsJSON: String,
        modelPath: String, modelSHA256: String, samplingJSON: String,
        status: RunStatus = .running, createdAt: Date = Date(), updatedAt: Date? = nil,
        outputJSON: String? = nil, errorText: String? = nil,
        tokenCount: Int = 0, toolCallCount: Int = 0, roundCount: Int = 0,
        forkedFromRunID: String? = nil, forkedAtPath: NodePath? = nil, forkedAtRound: Int? = nil,
        closedAtTokenLimit: Bool = false
    ) {
        self.id = id
        self.workflow = workflow
        self.specText = specText
        self.specSHA256 = specSHA256
        self.inputsJSON = inputsJSON
        self.modelPath = modelPath
        self.modelSHA256 = modelSHA256
        self.samplingJSON = samplingJSON
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.outputJSON = outputJSON
        self.errorText = errorText
        self.tokenCount = tokenCount
        self.toolCallCount = toolCallCount
        self.roundCount = roundCount
        self.forkedFromRunID = forkedFromRunID
        self.forkedAtPath = forkedAtPath
        self.forkedAtRound = forkedAtRound
        self.closedAtTokenLimit = closedAtTokenLimit
    }

    /// A fresh short id such as `r-7f3k2q`: `r-` and six characters from `[0-9a-z]`
    /// (2 billion values; ``RunStore/createRun(_:)`` refuses a collision).
    public static func makeID() -> String {
        var generator = SystemRandomNumberGenerator()
        return makeID(using: &generator)
    }

    /// ``makeID()`` with a caller's random source (for reproducible tests).
    public static func makeID(using generator: inout some RandomNumberGenerator) -> String {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        let suffix = (0..<6).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        return "r-" + String(suffix)
    }
}

/// The columns `arbor runs` shows, without the spec text and JSON payloads.
public struct RunSummary: Codable, Sendable, Equatable, FetchableRecord {
    public var id: String
    public var workflow: String
    public var status: RunStatus
    public var createdAt: Date
    public var updatedAt: Date
    public var tokenCount: Int
    public var toolCallCount: Int
    public var roundCount: Int
}
