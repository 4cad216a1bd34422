import ArborStore
import ArgumentParser
import Foundation

/// `--db PATH`, shared by every command that touches the run database.
///
/// Without `--db` the path is ``DatabaseLocation/default(environment:)``: `$ARBOR_DB`, else
/// the per-user XDG data directory. A database that cannot be used (missing, empty, not
/// SQLite, another program's, damaged, newer) is reported with the store's sentence, which
/// names the file and says what to do, and exit status 1 — never a crash.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The run database (default: $ARBOR_DB, else $XDG_DATA_HOME/arbor/arbor.sqlite, else ~/.local/share/arbor/arbor.sqlite).",
            valueName: "path"))
    var db: String?

    /// The database file this invocation uses.
    var path: String { db ?? DatabaseLocation.default() }

    /// The command that lists this database's runs, for hints in messages.
    var runsCommand: String {
        db.map { "arbor runs --db \(Self.shellQuoted($0))" } ?? "arbor runs"
    }

    /// `text` as is when it is plainly safe in a POSIX shell, else in single quotes.
    static func shellQuoted(_ text: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:+,@%")
        if !text.isEmpty, text.allSatisfy(safe.contains) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// Opens the existing database, for commands that only read (`arbor runs`, `arbor inspect`):
    /// a missing or empty file is an error, not a new database.
    func openExisting() throws -> RunStore {
        try reportingStoreErrors { try RunStore.openExisting(path: path) }
    }

    /// Opens the database, creating it and its directory if needed, for commands that write
    /// runs (`arbor run`, `arbor resume`).
    func openOrCreate() throws -> RunStore {
        try reportingStoreErrors { try RunStore(path: path) }
    }

    /// Prints a ``StoreError`` thrown by `body` to standard error and exits with status 1.
    func reportingStoreErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

extension DatabaseOptions {
    /// The run `text` names (an id or a unique start of one); otherwise prints why, as
    /// `command`, and exits with status 1.
    func run(named text: String, in store: RunStore, command: String) throws -> Run {
        let resolution = try store.resolveRunID(text)
        if let problem = resolution.problem(databasePath: path, runsCommand: runsCommand) {
            FileHandle.standardError.write(Data("arbor \(command): \(problem)\n".utf8))
            throw ExitCode(1)
        }
        guard case .found(let id) = resolution, let run = try store.run(id: id) else { throw ExitCode(1) }
        return run
    }
}
