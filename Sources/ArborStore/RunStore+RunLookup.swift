import Foundation
import GRDB

/// What a run id typed by a user names: `arbor inspect r-7f` accepts a unique start of an id.
public enum RunIDResolution: Sendable, Equatable {
    /// The full id of the one run the text names.
    case found(String)
    /// No id is or starts with `query`; `newestIDs` are a few stored ids to suggest.
    case notFound(query: String, newestIDs: [String])
    /// More than one id starts with `query`: the first few of them in id order (one more
    /// than the message shows, so that it can say whether there are others).
    case ambiguous(query: String, candidates: [String])

    /// What to tell the user when the text names no single run, or `nil` for ``found(_:)``.
    ///
    /// `runsCommand` is the command that lists this database's runs (`arbor runs`, or with
    /// the same `--db` the user passed).
    ///
    /// ```swift
    /// if let problem = resolution.problem(databasePath: store.path) { print(problem) }
    /// ```
    public func problem(databasePath: String, runsCommand: String = "arbor runs") -> String? {
        switch self {
        case .found:
            return nil
        case let .notFound(query, newestIDs) where newestIDs.isEmpty:
            return "No run \(query) in \(databasePath): it holds no runs yet. `arbor run SPEC.yaml` records one, "
                + "and --db or ARBOR_DB chooses another database."
        case let .notFound(query, newestIDs):
            return "No run \(query) in \(databasePath). `\(runsCommand)` lists the stored runs "
                + "(the newest: \(newestIDs.joined(separator: ", "))); the start of an id is enough if it is unique."
        case let .ambiguous(query, candidates):
            let shown = candidates.prefix(RunStore.shownCandidates).joined(separator: ", ")
            let more = candidates.count > RunStore.shownCandidates ? ", …" : ""
            return "\(query) is the start of more than one run id (\(shown)\(more)) in \(databasePath); "
                + "type more of the id. `\(runsCommand)` lists the stored runs."
        }
    }
}

extension RunStore {
    /// How many ids an ambiguous or unknown run id lists.
    static let shownCandidates = 5

    /// Finds the run `text` names: its exact id, else the one id that starts with `text`.
    ///
    /// An exact id wins even when it is also the start of longer ids.
    ///
    /// ```swift
    /// switch try store.resolveRunID("r-7f") {
    /// case .found(let id): print(try store.loadRun(id: id).run.workflow)
    /// default: break
    /// }
    /// ```
    public func resolveRunID(_ text: String) throws -> RunIDResolution {
        try read { db in
            if try Run.exists(db, key: text) { return .found(text) }
            // instr(id, ?) = 1 is "starts with" without LIKE's wildcards and case folding.
            let matches = try String.fetchAll(db, Run
                .select(Run.Columns.id)
                .filter(sql: "instr(id, ?) = 1", arguments: [text])
                .order(Run.Columns.id)
                .limit(Self.shownCandidates + 1))
            switch matches.count {
            case 1:
                return .found(matches[0])
            case 0:
                let newest = try String.fetchAll(db, Run
                    .select(Run.Columns.id)
                    .order(Run.Columns.createdAt.desc, Run.Columns.id.desc)
                    .limit(Self.shownCandidates))
                return .notFound(query: text, newestIDs: newest)
            default:
                return .ambiguous(query: text, candidates: matches)
            }
        }
    }

    /// The number of stored runs (`arbor runs` says how many a `--limit` left out).
    public func runCount() throws -> Int {
        try read { db in try Run.fetchCount(db) }
    }
}
