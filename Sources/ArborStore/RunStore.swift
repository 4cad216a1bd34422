import Dispatch
import Foundation
import GRDB

/// The durable home of Arbor runs: one SQLite database (WAL) holding runs, their reasoning
/// trees, token logs, tool calls, rounds and the KV rows of cached tokens.
///
/// Opening checks that the file is an Arbor database (SQLite header, `application_id`,
/// known migrations) and refuses anything else with a ``StoreError`` that names the file.
/// Every write method is one transaction; ``checkpoint(_:)`` groups several writes into one
/// (the runtime commits at every task boundary and tool call).
///
/// ```swift
/// let store = try RunStore(path: DatabaseLocation.default())
/// try store.createRun(run)
/// try store.checkpoint { tx in
///     try tx.appendTokens(batch, to: run.id)
///     try tx.upsertNode(node)
/// }
/// ```
///
/// `RunStore` is `Sendable`: GRDB's pool and queue serialise writes and allow concurrent reads.
public final class RunStore: Sendable {
    /// `PRAGMA application_id` of every Arbor database: the ASCII bytes "ARBR".
    public static let applicationID: Int32 = 0x4152_4252

    /// How much a commit survives, traded against commit latency.
    public enum Durability: Sendable {
        /// `synchronous = NORMAL` in WAL mode: a killed process loses nothing committed;
        /// a power cut may lose the last commits but never corrupts the file. The default:
        /// a commit costs microseconds instead of an fsync.
        case survivesProcessCrash
        /// `synchronous = FULL`: every commit is fsynced, surviving power loss too.
        case survivesPowerLoss
    }

    /// The database file, or `:memory:` for an in-memory store.
    public let path: String
    /// Page size and checkpointing of the file (``StoreTuning/standard`` unless given).
    public let tuning: StoreTuning
    let writer: any DatabaseWriter
    /// Checkpoints the log in the background (``StoreTuning/Checkpointing/background(afterBytes:capBytes:)``).
    private let walCheckpointer: WALCheckpointer?

    /// Opens (creating if needed, with its directory) the database at `path` in WAL mode.
    ///
    /// Throws ``StoreError/notADatabase(path:detail:)``, ``StoreError/foreignDatabase(path:detail:)``,
    /// ``StoreError/corrupted(path:detail:)``, ``StoreError/newerVersion(path:unknownMigrations:)``
    /// or ``StoreError/cannotOpen(path:detail:)`` instead of opening a file it must not touch.
    ///
    /// `tuning` sets the page size of a new file (an existing one keeps its own) and where the
    /// write-ahead log is checkpointed; it changes speed, never what a commit guarantees.
    public init(path: String, durability: Durability = .survivesProcessCrash, tuning: StoreTuning = .standard) throws {
        self.path = path
        self.tuning = tuning
        try Self.checkFileHeader(path: path)
        let isNew = ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) == 0
        try Self.probeExistingFile(path: path)
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw StoreError.cannotOpen(path: path, detail: "cannot create its directory \(directory) (\(error.localizedDescription))")
            }
        }
        var configuration = Self.configuration()
        if isNew {
            // Takes effect when SQLite writes the first page (the switch to WAL), so it must
            // come before; on an existing file the pragma changes nothing.
            let pageSize = tuning.pageSize
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA page_size = \(pageSize)") }
        }
        let writer = try Self.translatingErrors(path: path) {
            try DatabasePool(path: path, configuration: configuration)
        }
        self.writer = writer
        if case .background(let afterBytes, let capBytes) = tuning.checkpointing {
            walCheckpointer = try Self.translatingErrors(path: path) {
                let pageSize = try writer.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } ?? tuning.pageSize
                let checkpointer = try WALCheckpointer(path: path, configuration: Self.configuration(), pageSize: pageSize,
                                                       afterBytes: afterBytes, capBytes: capBytes)
                try writer.writeWithoutTransaction { db in
                    checkpointer.attach(to: db)
                    // trims a log that grew past the cap once it starts over
                    try db.execute(sql: "PRAGMA journal_size_limit = \(capBytes)")
                }
                return checkpointer
            }
        } else {
            walCheckpointer = nil
        }
        if durability == .survivesPowerLoss {
            // GRDB opens WAL pools with NORMAL; the pool's single writer connection keeps this.
            try Self.translatingErrors(path: path) {
                try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            }
        }
        try prepareSchema()
    }

    /// Opens an existing Arbor database for reading only: no WAL switch, no migration, no
    /// write, so a file the user may not write (or does not want written) is read as it is.
    /// A file written by an older Arbor needs its migrations first: then it is opened for
    /// writing when it may be written, and refused with the reason when it may not.
    init(readingExisting path: String) throws {
        self.path = path
        tuning = .standard
        walCheckpointer = nil
        try Self.checkFileHeader(path: path)
        try Self.probeExistingFile(path: path)
        var configuration = Self.configuration()
        configuration.readonly = true
        writer = try Self.translatingErrors(path: path) {
            try DatabaseQueue(path: path, configuration: configuration)
        }
        let upToDate = try Self.translatingErrors(path: path) {
            try writer.read { db in try StoreMigrations.migrator.hasCompletedMigrations(db) }
        }
        if !upToDate { throw NeedsUpgrade() }
    }

    /// Thrown by ``init(readingExisting:)`` for a database that lacks this version's migrations.
    struct NeedsUpgrade: Error {}

    /// A store in memory, for tests and dry runs; it disappears with the object.
    ///
    /// ```swift
    /// let scratch = try RunStore()
    /// ```
    public init() throws {
        path = ":memory:"
        tuning = .standard
        walCheckpointer = nil
        writer = try Self.translatingErrors(path: path) {
            try DatabaseQueue(configuration: Self.configuration())
        }
        try prepareSchema()
    }

    /// Runs `body` in one write transaction: all its writes commit together or not at all.
    ///
    /// Use it to make a task boundary or a tool call one durable step. A thrown error rolls
    /// the transaction back and is rethrown.
    ///
    /// ```swift
    /// try store.checkpoint { tx in
    ///     try tx.appendTokens(pending, to: runID)
    ///     try tx.recordToolCallFinished(runID: runID, seq: 3, outcome: .succeeded(resultJSON: json))
    /// }
    /// ```
    @discardableResult
    public func checkpoint<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        let result = try Self.translatingErrors(path: path) {
            try writer.write { db in try body(StoreTransaction(db: db, path: path)) }
        }
        if let walCheckpointer, walCheckpointer.takeWriterCheckpoint() {
            // The log reached its cap: the background fell behind, so this commit waits for a
            // checkpoint that lets the log start over. Only one checkpoint runs at a time (a
            // second gets SQLITE_BUSY at once), so the background's must end first. A failure
            // (a reader busy past the timeout) only leaves the log longer; the next commit tries again.
            let start = DispatchTime.now()
            walCheckpointer.waitUntilIdle()
            try? writer.writeWithoutTransaction { db in _ = try db.checkpoint(.restart) }
            walCheckpointer.recordWriterCheckpoint(seconds: Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
        }
        return result
    }

    /// What the write-ahead log went through since this store was opened (zero for a store
    /// that checkpoints on commit or lives in memory).
    public var walStatistics: WALStatistics { walCheckpointer?.currentStatistics ?? WALStatistics() }

    /// Returns once the background checkpoints queued so far have run (for tests and
    /// benchmarks that look at the log; a run never needs to wait).
    public func waitForBackgroundCheckpoints() {
        walCheckpointer?.waitUntilIdle()
    }

    /// The database's page size in bytes.
    public func pageSize() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0 }
    }

    /// Runs `body` on a read-only snapshot of the database.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.translatingErrors(path: path) { try writer.read(body) }
    }

    /// The SQLite journal mode (`wal` for file stores, `memory` in memory).
    public func journalMode() throws -> String {
        try read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// Runs SQLite's `quick_check` over the whole file (O(size)); throws
    /// ``StoreError/corrupted(path:detail:)`` with SQLite's findings if it fails.
    public func verifyIntegrity() throws {
        let findings = try read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
        if findings != ["ok"] {
            throw StoreError.corrupted(path: path, detail: findings.prefix(3).joined(separator: "; "))
        }
    }

    deinit {
        if let walCheckpointer {
            writer.writeWithoutTransaction { db in walCheckpointer.detach(from: db) }
            walCheckpointer.waitUntilIdle()
        }
    }

    // MARK: - Opening

    private static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.label = "ArborStore"
        return configuration
    }

    /// Checks identity and applies migrations. Order matters: a foreign or newer database
    /// must be refused before anything is written to it.
    private func prepareSchema() throws {
        let migrator = StoreMigrations.migrator
        try Self.translatingErrors(path: path) {
            // Two processes may open a new file at once (`arbor serve` and `arbor run` started
            // together). GRDB's migrator decides what to apply before it takes the write lock,
            // so the second one may find a table it was about to create already there: its
            // migration rolls back, and the next attempt sees the other process's work.
            for attempt in 1... {
                do {
                    // one transaction holding the write lock: the identity is read and set in
                    // one step, never half-way through another process's setup
                    try writer.writeWithoutTransaction { db in
                        try db.inTransaction(.immediate) {
                            if try Self.checkIdentity(db, path: path, migrator: migrator) == .blank {
                                try db.execute(sql: "PRAGMA application_id = \(Self.applicationID)")
                            }
                            return .commit
                        }
                    }
                    try migrator.migrate(writer)
                    break
                } catch let error as DatabaseError {
                    if try writer.read({ db in try migrator.hasCompletedMigrations(db) }) { break }
                    if attempt == 5 { throw error }
                    Thread.sleep(forTimeInterval: 0.02 * Double(attempt))
                }
            }
            try writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA user_version = \(migrator.migrations.count)")
            }
        }
    }

    /// Opens an existing file read-only (no WAL switch, no write) and checks it is an
    /// Arbor database this version can use, so that a foreign file is left exactly as found.
    private static func probeExistingFile(path: String) throws {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let size = attributes?[.size] as? Int, size > 0 else { return }
        var configuration = configuration()
        configuration.readonly = true
        try translatingErrors(path: path) {
            let probe = try DatabaseQueue(path: path, configuration: configuration)
            try probe.read { db in _ = try checkIdentity(db, path: path, migrator: StoreMigrations.migrator) }
            try probe.close()
        }
    }

    private enum Identity { case blank, arbor }

    /// `.blank` for a database with no tables and no application id (a new file).
    private static func checkIdentity(_ db: Database, path: String, migrator: DatabaseMigrator) throws -> Identity {
        let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        let tables = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name
            """)
        if applicationID == 0 {
            guard tables.isEmpty else {
                let shown = tables.prefix(5).joined(separator: ", ")
                throw StoreError.foreignDatabase(
                    path: path, detail: "it already holds tables (\(shown)) and lacks Arbor's application_id")
            }
            return .blank
        }
        guard applicationID == Self.applicationID else {
            throw StoreError.foreignDatabase(
                path: path,
                detail: "its application_id is \(hex(applicationID)), Arbor's is \(hex(Self.applicationID))")
        }
        let unknown = try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
        let userVersion = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        if !unknown.isEmpty || userVersion > migrator.migrations.count {
            throw StoreError.newerVersion(
                path: path, unknownMigrations: unknown.isEmpty ? ["schema version \(userVersion)"] : unknown)
        }
        return .arbor
    }

    private static func hex(_ value: Int32) -> String {
        "0x" + String(UInt32(bitPattern: value), radix: 16, uppercase: true)
    }

    /// Refuses files that are not SQLite, and SQLite files shorter than their header says
    /// (truncated), before SQLite itself is pointed at them.
    static func checkFileHeader(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let header: Data
        let fileSize: UInt64
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            header = try handle.read(upToCount: 100) ?? Data()
            fileSize = try handle.seekToEnd()
        } catch {
            throw StoreError.cannotOpen(path: path, detail: "cannot read it (\(error.localizedDescription))")
        }
        if header.isEmpty { return }  // SQLite turns an empty file into a new database.
        guard header.count == 100 else {
            throw StoreError.notADatabase(path: path, detail: "it is \(header.count) bytes long, shorter than an SQLite header")
        }
        guard header.prefix(16).elementsEqual("SQLite format 3\u{0}".utf8) else {
            throw StoreError.notADatabase(path: path, detail: "it does not begin with the SQLite header")
        }
        func bigEndian32(_ offset: Int) -> UInt64 {
            header[offset..<offset + 4].reduce(0) { $0 << 8 | UInt64($1) }
        }
        let rawPageSize = UInt64(header[16]) << 8 | UInt64(header[17])
        let pageSize = rawPageSize == 1 ? 65_536 : rawPageSize
        let pageCount = bigEndian32(28)
        // The in-header page count is trustworthy only when "version-valid-for" matches the
        // change counter, and pages may legitimately live in a WAL not yet checkpointed.
        let headerSizeValid = bigEndian32(24) == bigEndian32(92)
        let walSize = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? UInt64) ?? 0
        if headerSizeValid, walSize == 0, pageCount > 0, fileSize < pageCount * pageSize {
            throw StoreError.corrupted(
                path: path,
                detail: "the file is \(fileSize) bytes but its header records \(pageCount * pageSize): it was truncated")
        }
    }

    /// Maps SQLite failures to ``StoreError`` cases that name this database.
    static func translatingErrors<T>(path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            let detail = error.message ?? error.description
            switch error.resultCode {
            case .SQLITE_NOTADB:
                throw StoreError.notADatabase(path: path, detail: detail)
            case .SQLITE_CORRUPT:
                throw StoreError.corrupted(path: path, detail: detail)
            case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_AUTH:
                throw StoreError.cannotOpen(path: path, detail: detail)
            case .SQLITE_CONSTRAINT:
                throw StoreError.constraintViolated(path: path, detail: detail)
            default:
                throw StoreError.database(path: path, detail: detail)
            }
        }
    }
}
