import Foundation
import GRDB

/// One InftyThink-style round of a run: its summary and token counts.
///
/// `number` counts rounds from 0; `summary` is `nil` until the round's summary is written
/// (a round that ends without one ends the run).
///
/// ```swift
/// try store.saveRound(Round(runID: id, number: 0, promptTokens: 412))
/// ```
public struct Round: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "round"

    public var runID: String
    public var number: Int
    public var summary: String?
    public var promptTokens: Int
    public var generatedTokens: Int
    /// Peak tokens kept in working memory (KV) during the round.
    public var peakKeptTokens: Int
    public var startedAt: Date
    public var finishedAt: Date?

    public enum Columns {
        public static let runID = Column(CodingKeys.runID)
        public static let number = Column(CodingKeys.number)
        public static let summary = Column(CodingKeys.summary)
    }

    public init(
        runID: String, number: Int, summary: String? = nil, promptTokens: Int = 0,
        generatedTokens: Int = 0, peakKeptTokens: Int = 0, startedAt: Date = Date(), finishedAt: Date? = nil
    ) {
        self.runID = runID
        self.number = number
        self.summary = summary
        self.promptTokens = promptTokens
        self.generatedTokens = generatedTokens
        self.peakKeptTokens = peakKeptTokens
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}
