/// How a file store lays out its pages and when its write-ahead log is copied back into the
/// database file — choices that change speed, never what a commit guarantees.
///
/// The default suits Arbor's writes: every cached token's KV rows (23 KB a token for
/// SmolLM2-135M) pass through the WAL, so the log fills quickly, and copying it back
/// (a *checkpoint*, with its two `fsync`s) must not stall the thread that decodes.
///
/// ```swift
/// let store = try RunStore(path: path)                                   // StoreTuning.standard
/// let before = try RunStore(path: other, tuning: .sqliteDefaults)        // what SQLite does alone
/// ```
public struct StoreTuning: Sendable, Equatable {
    /// When the write-ahead log is checkpointed into the database file.
    public enum Checkpointing: Sendable, Equatable {
        /// SQLite's default: the commit that takes the log past 1,000 pages checkpoints it,
        /// on the committing thread, before the commit returns.
        case onCommit
        /// A background connection checkpoints (`PASSIVE`: it never blocks a writer) once a
        /// commit leaves more than `afterBytes` in the log; a commit checkpoints by itself
        /// only when the log reaches `capBytes` (the background could not keep up), so the
        /// log file stays bounded.
        case background(afterBytes: Int, capBytes: Int)
    }

    /// Page size of a database file this store creates; a file that exists keeps its own.
    /// A power of two from 512 to 65,536.
    public var pageSize: Int
    public var checkpointing: Checkpointing

    public init(pageSize: Int, checkpointing: Checkpointing) {
        precondition(pageSize >= 512 && pageSize <= 65_536 && pageSize & (pageSize - 1) == 0,
                     "a page size is a power of two from 512 to 65536")
        if case .background(let after, let cap) = checkpointing {
            precondition(after > 0 && cap >= after, "the log's cap must be at least its checkpoint threshold")
        }
        self.pageSize = pageSize
        self.checkpointing = checkpointing
    }

    /// Arbor's choice: 8 KB pages (a 23 KB KV row takes three pages instead of six, with
    /// little slack; small tables stay small) and checkpoints in the background after 4 MB of
    /// log, capped at 64 MB.
    public static let standard = StoreTuning(pageSize: 8192, checkpointing: .background(afterBytes: 4 << 20, capBytes: 64 << 20))

    /// SQLite's own defaults (4 KB pages, checkpoints on commit): what Arbor did before, kept
    /// for benchmarks that compare.
    public static let sqliteDefaults = StoreTuning(pageSize: 4096, checkpointing: .onCommit)
}
