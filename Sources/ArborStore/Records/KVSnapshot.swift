import Foundation
import GRDB

/// Opaque KV-cache bytes the runtime saved after `tokenCount` committed tokens.
///
/// The store keeps the bytes as given, with their length and a CRC-32 checked on load.
/// `format` is the runtime's label for the byte layout (e.g. `kv-f16-v1`), so a later
/// runtime can refuse a layout it does not read. The runtime saves a snapshot every N
/// tokens; resume takes ``RunStore/latestKVSnapshot(runID:atMost:)`` and re-decodes the
/// log's unpruned tokens from `tokenCount` on.
public struct KVSnapshot: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "kvSnapshot"

    public var runID: String
    /// Number of log tokens (seq `0..<tokenCount`) this state covers.
    public var tokenCount: Int
    public var format: String
    public var byteCount: Int
    /// CRC-32 (IEEE) of `data`.
    public var checksum: Int64
    public var data: Data
    public var createdAt: Date

    public enum Columns {
        public static let runID = Column(CodingKeys.runID)
        public static let tokenCount = Column(CodingKeys.tokenCount)
        public static let format = Column(CodingKeys.format)
        public static let byteCount = Column(CodingKeys.byteCount)
        public static let checksum = Column(CodingKeys.checksum)
        public static let createdAt = Column(CodingKeys.createdAt)
    }

    public init(runID: String, tokenCount: Int, format: String, data: Data, createdAt: Date = Date()) {
        self.runID = runID
        self.tokenCount = tokenCount
        self.format = format
        self.byteCount = data.count
        self.checksum = Int64(CRC32.checksum(data))
        self.data = data
        self.createdAt = createdAt
    }

    /// Whether `data` still matches its length and checksum.
    public var isIntact: Bool {
        data.count == byteCount && Int64(CRC32.checksum(data)) == checksum
    }
}

/// Snapshot metadata without the bytes, for listings.
public struct KVSnapshotInfo: Codable, Sendable, Equatable, FetchableRecord {
    public var tokenCount: Int
    public var format: String
    public var byteCount: Int
    public var createdAt: Date
}
