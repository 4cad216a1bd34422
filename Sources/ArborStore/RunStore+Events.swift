import Foundation
import GRDB

/// A run as a live view starts from it: everything recorded, and the seq of the last event it
/// includes, read in one transaction so that the events after `seq` are exactly what it lacks.
public struct RunSnapshot: Sendable, Equatable {
    public var details: RunDetails
    /// The last event the snapshot includes (0 before the first).
    public var seq: Int

    /// `{"seq": n, "run": {…}}` with the run as `arbor inspect --json` writes it.
    public var json: String {
        ReportJSON.object(["seq": .integer(seq), "run": RunDetailsReport.jsonValue(details)]).compact()
    }

    /// As ``json``, with at most the last `limit` tree nodes, tool calls and rounds (the latest
    /// round's, in tree order), and `"omitted"` counting what was left out: a 100k-token run
    /// holds thousands of tasks, and a live view needs the newest (its events bring the rest).
    public func json(keepingLast limit: Int) -> String {
        var capped = details
        capped.nodes = Array(details.nodes.suffix(limit))
        capped.toolCalls = Array(details.toolCalls.suffix(limit))
        capped.rounds = Array(details.rounds.suffix(limit))
        return ReportJSON.object([
            "seq": .integer(seq), "run": RunDetailsReport.jsonValue(capped),
            "omitted": .object([
                "tree": .integer(details.nodes.count - capped.nodes.count),
                "toolCalls": .integer(details.toolCalls.count - capped.toolCalls.count),
                "rounds": .integer(details.rounds.count - capped.rounds.count),
            ]),
        ]).compact()
    }
}

extension RunStore {
    /// The run's events after `seq`, in order, at most `limit`.
    ///
    /// ```swift
    /// for event in try store.events(runID: id, after: 41) { print(event.seq, event.kind) }
    /// ```
    public func events(runID: String, after seq: Int = 0, limit: Int = 1000) throws -> [RunEvent] {
        try read { db in
            try RunEvent.filter(RunEvent.Columns.runID == runID && RunEvent.Columns.seq > seq)
                .order(RunEvent.Columns.seq).limit(limit).fetchAll(db)
        }
    }

    /// The run's last event of `kind` (nil when it has none): where a resumed run's live
    /// counters (the last checkpoint's tokens and KV slots) go on from.
    public func lastEvent(runID: String, kind: RunEvent.Kind) throws -> RunEvent? {
        try read { db in
            try RunEvent.filter(RunEvent.Columns.runID == runID && Column("kind") == kind)
                .order(RunEvent.Columns.seq.desc).fetchOne(db)
        }
    }

    /// The seq of the run's last event (0 when it has none).
    public func lastEventSeq(runID: String) throws -> Int {
        try read { db in try Self.lastEventSeq(db, runID: runID) }
    }

    /// The run and the seq of its last event, consistent with each other; throws
    /// ``StoreError/runNotFound(runID:)``.
    public func snapshot(runID: String) throws -> RunSnapshot {
        try read { db in RunSnapshot(details: try Self.loadRun(db, id: runID), seq: try Self.lastEventSeq(db, runID: runID)) }
    }

    private static func lastEventSeq(_ db: Database, runID: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT seq FROM runEvent WHERE runID = ? ORDER BY seq DESC LIMIT 1", arguments: [runID]) ?? 0
    }
}

/// Tells cheaply whether anyone (another process included) committed to a database since the
/// last look: SQLite's `PRAGMA data_version` on one connection of its own changes exactly when
/// another connection commits, and reading it touches no table.
///
/// ```swift
/// let watcher = try CommitWatcher(path: "runs.sqlite")
/// if try watcher.changed() { /* read what is new */ }
/// ```
public final class CommitWatcher: @unchecked Sendable {
    public let path: String
    // A queue, not a pool: data_version is per connection, so every look must use the same one.
    private let connection: DatabaseQueue
    private var lastVersion: Int?
    private let lock = NSLock()

    /// Opens its own read-only connection to the database at `path`.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(1)
        connection = try RunStore.translatingErrors(path: path) { try DatabaseQueue(path: path, configuration: configuration) }
    }

    /// Whether a commit happened since the previous call (true on the first).
    public func changed() throws -> Bool {
        let version = try RunStore.translatingErrors(path: path) {
            try connection.read { db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
        }
        lock.lock()
        defer { lock.unlock() }
        defer { lastVersion = version }
        return version != lastVersion
    }
}
