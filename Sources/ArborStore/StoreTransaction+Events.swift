import Foundation
import GRDB

extension StoreTransaction {
    /// Appends an event to the run's event log with the next sequence number, in this
    /// transaction: readers see it exactly when they see what it describes. Returns its seq.
    ///
    /// ```swift
    /// try store.checkpoint { tx in
    ///     try tx.appendEvent(runID: id, kind: .pruned, payload: .object(["from": .integer(40), "to": .integer(96)]))
    /// }
    /// ```
    @discardableResult
    public func appendEvent(runID: String, kind: RunEvent.Kind, payload: ReportJSON, at date: Date = Date()) throws -> Int {
        // The key's b-tree ends at the run's last event: one seek, whatever the log's length.
        let last = try db.cachedStatement(sql: "SELECT seq FROM runEvent WHERE runID = ? ORDER BY seq DESC LIMIT 1")
        let seq = (try Int.fetchOne(last, arguments: [runID]) ?? 0) + 1
        let insert = try db.cachedStatement(sql: "INSERT INTO runEvent (runID, seq, kind, payloadJSON, createdAt) VALUES (?, ?, ?, ?, ?)")
        try insert.execute(arguments: [runID, seq, kind, payload.compact(), date])
        return seq
    }

    /// The event of a status change written by ``updateRunStatus(_:to:at:)``.
    func appendStatusEvent(runID: String, status: RunStatus, at date: Date) throws {
        switch status {
        case .paused: try appendEvent(runID: runID, kind: .paused, payload: .object([:]), at: date)
        case .running: try appendEvent(runID: runID, kind: .resumed, payload: .object([:]), at: date)
        // finishRun and failRun write these two with their output and error
        case .completed, .failed: break
        }
    }

    /// A tool call's payload for ``RunEvent/Kind/toolStarted`` and ``RunEvent/Kind/toolFinished``.
    static func toolEventPayload(_ call: ToolCall) -> ReportJSON {
        var members: [ReportJSON.Member] = [
            .init("index", .integer(call.seq)), .init("tool", .string(call.toolName)),
            .init("arguments", .embedding(call.argumentsJSON)), .init("path", .nullable(call.nodePath?.description)),
            .init("status", .string(call.status.rawValue)),
        ]
        if let result = call.resultJSON { members.append(.init("result", .embedding(result))) }
        if let error = call.errorText { members.append(.init("error", .string(error))) }
        if let finished = call.finishedAt { members.append(.init("seconds", .number(finished.timeIntervalSince(call.startedAt)))) }
        return .object(members: members)
    }
}
