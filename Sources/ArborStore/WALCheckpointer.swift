import Dispatch
import Foundation
import GRDB
import GRDBSQLite

/// What the write-ahead log of a file store went through: how often it was checkpointed, where,
/// and how large it grew.
public struct WALStatistics: Codable, Sendable, Equatable {
    /// Checkpoints run by the background connection, and the seconds they took (off the
    /// writer's thread).
    public var backgroundCheckpoints = 0
    public var backgroundSeconds = 0.0
    /// Checkpoints a commit ran itself because the log reached its cap, and their seconds
    /// (on the writer's thread).
    public var writerCheckpoints = 0
    public var writerCheckpointSeconds = 0.0
    /// The most bytes of frames the log held after a commit (frames × page size).
    public var largestLogBytes = 0

    public init() {}
}

/// Checkpoints a store's write-ahead log from a background connection, so that the commits of
/// a decoding run never wait for the `fsync`s of a checkpoint.
///
/// SQLite calls ``committed(logFrames:)`` (through `sqlite3_wal_hook`, which replaces its
/// automatic checkpoint) after every commit of the writer connection with the number of frames
/// in the log. Past the threshold, a `PASSIVE` checkpoint is queued on a serial queue with a
/// connection of its own: it copies committed frames into the database file while the writer
/// goes on appending, and once everything is copied the writer's next transaction starts the
/// log over from its beginning. Past the cap, the writer checkpoints itself after the commit
/// (``takeWriterCheckpoint()``), which bounds the log if the background falls behind.
///
/// A checkpoint only copies committed data: a kill at any moment loses nothing committed.
///
/// `@unchecked Sendable`: the hook runs on GRDB's writer queue, checkpoints on `queue`; every
/// mutable field is guarded by `lock`.
final class WALCheckpointer: @unchecked Sendable {
    let thresholdFrames: Int
    let capFrames: Int
    let pageSize: Int
    private let connection: DatabaseQueue
    private let queue = DispatchQueue(label: "ArborStore.walCheckpoint", qos: .utility)
    private let lock = NSLock()
    private var running = false
    private var runAgain = false
    private var writerMustCheckpoint = false
    private var statistics = WALStatistics()

    init(path: String, configuration: Configuration, pageSize: Int, afterBytes: Int, capBytes: Int) throws {
        self.pageSize = pageSize
        thresholdFrames = max(1, afterBytes / pageSize)
        capFrames = max(thresholdFrames, capBytes / pageSize)
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Makes this object checkpoint `db`'s log instead of SQLite's automatic checkpoint.
    /// The object must outlive the connection's commits (the store owns both) or be detached.
    func attach(to db: Database) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_wal_hook(db.sqliteConnection, { context, _, _, frames in
            if let context {
                Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().committed(logFrames: Int(frames))
            }
            return SQLITE_OK
        }, context)
    }

    func detach(from db: Database) {
        sqlite3_wal_hook(db.sqliteConnection, nil, nil)
    }

    /// After a commit: the log holds `logFrames` frames.
    func committed(logFrames: Int) {
        let start: Bool = lock.withLock {
            statistics.largestLogBytes = max(statistics.largestLogBytes, logFrames * pageSize)
            if logFrames >= capFrames { writerMustCheckpoint = true }
            guard logFrames >= thresholdFrames else { return false }
            if running {
                runAgain = true
                return false
            }
            running = true
            return true
        }
        if start { queue.async { self.checkpointUntilCaughtUp() } }
    }

    private func checkpointUntilCaughtUp() {
        while true {
            let start = DispatchTime.now()
            // PASSIVE never waits for a lock; a busy or failed checkpoint is retried after the
            // next commit, and the writer's cap checkpoint bounds the log meanwhile.
            _ = try? connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            let again: Bool = lock.withLock {
                statistics.backgroundCheckpoints += 1
                statistics.backgroundSeconds += elapsed
                if runAgain {
                    runAgain = false
                    return true
                }
                running = false
                return false
            }
            if !again { return }
        }
    }

    /// Whether the last commit took the log to its cap (and so the writer must checkpoint);
    /// clears the flag.
    func takeWriterCheckpoint() -> Bool {
        lock.withLock {
            defer { writerMustCheckpoint = false }
            return writerMustCheckpoint
        }
    }

    func recordWriterCheckpoint(seconds: Double) {
        lock.withLock {
            statistics.writerCheckpoints += 1
            statistics.writerCheckpointSeconds += seconds
        }
    }

    var currentStatistics: WALStatistics { lock.withLock { statistics } }

    /// Returns once every checkpoint queued so far has run.
    func waitUntilIdle() {
        while true {
            queue.sync {}
            if !lock.withLock({ running }) { return }
        }
    }
}
