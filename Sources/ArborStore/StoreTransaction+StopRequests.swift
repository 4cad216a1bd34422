import Foundation
import GRDB

/// Stopping a run from another process: `arbor serve`'s stop button writes a request, the
/// process that decodes the run reads it at its next commit and stops between tokens, so the
/// run ends `paused` (resumable) whether the server or a terminal's `arbor run` decodes it.
///
/// ```swift
/// let outcome = try store.requestStop(runID: id)      // .requested while it runs
/// // in the run's writer, at each commit:
/// try store.checkpoint { tx in stop = try tx.isStopRequested(runID: id) }
/// ```
extension StoreTransaction {
    /// Whether someone asked the run to stop since it last changed status.
    public func isStopRequested(runID: String) throws -> Bool {
        let statement = try db.cachedStatement(sql: "SELECT 1 FROM runStopRequest WHERE runID = ?")
        return try Bool.fetchOne(statement, arguments: [runID]) ?? false
    }

    /// Forgets a stop request (a status change answers it).
    func clearStopRequest(runID: String) throws {
        let statement = try db.cachedStatement(sql: "DELETE FROM runStopRequest WHERE runID = ?")
        try statement.execute(arguments: [runID])
    }
}

/// What ``RunStore/requestStop(runID:)`` did.
public enum StopRequestOutcome: Sendable, Equatable {
    /// Recorded: the run stops at its writer's next commit.
    case requested
    /// The run is not running (it completed, failed or is paused), so there is nothing to stop.
    case notRunning(RunStatus)
}

extension RunStore {
    /// Asks a running run to stop, in one transaction with the check that it runs, so a run
    /// that ends meanwhile is never left with a stale request. Throws
    /// ``StoreError/runNotFound(runID:)`` for an unknown id.
    public func requestStop(runID: String, at date: Date = Date()) throws -> StopRequestOutcome {
        try checkpoint { transaction in
            guard let run = try Run.fetchOne(transaction.db, key: runID) else { throw StoreError.runNotFound(runID: runID) }
            guard run.status == .running else { return .notRunning(run.status) }
            let statement = try transaction.db.cachedStatement(sql: "INSERT OR REPLACE INTO runStopRequest (runID, requestedAt) VALUES (?, ?)")
            try statement.execute(arguments: [runID, date])
            return .requested
        }
    }
}
