/// Everything that can go wrong opening or writing an Arbor run database.
///
/// Each case names the database file (or run) it concerns, and ``description`` reads as a
/// sentence that says what is wrong and what to do about it.
///
/// ```swift
/// do { _ = try RunStore(path: "/tmp/other.sqlite") }
/// catch let error as StoreError { print(error) }   // "…/other.sqlite is not an Arbor database: …"
/// ```
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not SQLite at all (random bytes, another format, or a header cut short).
    case notADatabase(path: String, detail: String)
    /// The file is SQLite but belongs to another program.
    case foreignDatabase(path: String, detail: String)
    /// The file is an Arbor database whose pages are damaged or missing (e.g. truncated).
    case corrupted(path: String, detail: String)
    /// The file was written by a newer Arbor whose schema this version does not know.
    case newerVersion(path: String, unknownMigrations: [String])
    /// The file or its directory could not be opened or created.
    case cannotOpen(path: String, detail: String)
    /// No run with this id is stored.
    case runNotFound(runID: String)
    /// A run with this id already exists.
    case duplicateRun(runID: String)
    /// A tool call with this sequence number was already recorded for the run.
    case duplicateToolCall(runID: String, seq: Int)
    /// A tool call was finished that was never started, or finished twice.
    case toolCallNotStarted(runID: String, seq: Int)
    /// Token records must continue the log densely: the next one must carry `expected`.
    case tokenSequenceGap(runID: String, expected: Int, got: Int)
    /// A fork asked for more tokens than the source run has committed.
    case forkBeyondLog(runID: String, requestedTokens: Int, committedTokens: Int)
    /// KV rows that are not whole rows of the size the model says.
    case kvRowsMalformed(runID: String, detail: String)
    /// A node path string is not of the form `0`, `0.2`, `0.2.1`.
    case invalidNodePath(String)
    /// A value does not satisfy the schema (bad JSON, missing parent node, …).
    case constraintViolated(path: String, detail: String)
    /// Any other SQLite failure.
    case database(path: String, detail: String)

    public var description: String {
        switch self {
        case let .notADatabase(path, detail):
            return "\(path) is not an SQLite database (\(detail)); it may be corrupted or another kind of file. "
                + "Move it aside, or choose another database with --db or ARBOR_DB."
        case let .foreignDatabase(path, detail):
            return "\(path) is not an Arbor database: \(detail). "
                + "Arbor will not write into another program's database; choose another path with --db or ARBOR_DB."
        case let .corrupted(path, detail):
            return "The Arbor database \(path) is damaged (\(detail)). "
                + "Restore it from a backup or move it aside and start a new one with --db or ARBOR_DB."
        case let .newerVersion(path, unknown):
            return "The Arbor database \(path) was written by a newer version of Arbor "
                + "(unknown schema migrations: \(unknown.joined(separator: ", "))). "
                + "Upgrade Arbor, or use another database with --db or ARBOR_DB."
        case let .cannotOpen(path, detail):
            return "Cannot open the Arbor database \(path): \(detail). Check that the directory exists and is writable."
        case let .runNotFound(runID):
            return "No run \(runID) in the database; `arbor runs` lists the stored runs."
        case let .duplicateRun(runID):
            return "A run \(runID) already exists; run ids must be unique."
        case let .duplicateToolCall(runID, seq):
            return "Tool call #\(seq) of run \(runID) is already recorded; a recorded tool call is never made twice — use its stored result."
        case let .toolCallNotStarted(runID, seq):
            return "Tool call #\(seq) of run \(runID) cannot be finished: it was never started or is already finished."
        case let .tokenSequenceGap(runID, expected, got):
            return "The token log of run \(runID) continues at seq \(expected), but the batch holds seq \(got); tokens must be appended densely in order."
        case let .forkBeyondLog(runID, requested, committed):
            return "Cannot fork \(requested) tokens of run \(runID): it has only \(committed) committed tokens. Fork at an earlier node."
        case let .kvRowsMalformed(runID, detail):
            return "The stored KV rows of run \(runID) cannot be used: \(detail). Resume with --force to recompute the context instead."
        case let .invalidNodePath(text):
            return "\"\(text)\" is not a node path; write top-level tasks as 0, 1, … and subtasks as 0.2, 0.2.1."
        case let .constraintViolated(path, detail):
            return "A write to \(path) was refused by the schema: \(detail)."
        case let .database(path, detail):
            return "SQLite failed on \(path): \(detail)."
        }
    }
}
