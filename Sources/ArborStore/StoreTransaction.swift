import ArborSchema
import Foundation
import GRDB

/// How a tool call ended.
public enum ToolCallOutcome: Sendable, Equatable {
    /// The tool answered; its result as JSON text.
    case succeeded(resultJSON: String)
    /// The tool failed; a message for the model and the user.
    case failed(error: String)
}

/// The writes of one transaction, handed to ``RunStore/checkpoint(_:)``.
///
/// Every method here runs inside that transaction; none commits by itself. Do not keep a
/// `StoreTransaction` beyond the closure. `db` gives raw GRDB access for anything else that
/// must commit atomically with these writes.
///
/// ```swift
/// try store.checkpoint { tx in
///     try tx.appendTokens(batch, to: runID)
///     try tx.upsertNode(node)
/// }
/// ```
public struct StoreTransaction {
    /// The GRDB connection, inside the open transaction.
    public let db: Database
    /// The database file (for error messages).
    public let path: String

    // MARK: Runs

    /// Inserts a new run; throws ``StoreError/duplicateRun(runID:)`` if its id is taken.
    public func createRun(_ run: Run) throws {
        guard try !Run.exists(db, key: run.id) else { throw StoreError.duplicateRun(runID: run.id) }
        try run.insert(db)
        try appendEvent(runID: run.id, kind: .created,
                        payload: .object(["workflow": .string(run.workflow), "status": .string(run.status.rawValue)]), at: run.createdAt)
    }

    /// Sets a run's status (e.g. `.paused` on SIGINT, `.running` on resume).
    public func updateRunStatus(_ runID: String, to status: RunStatus, at date: Date = Date()) throws {
        try updateRun(runID, [Run.Columns.status.set(to: status), Run.Columns.updatedAt.set(to: date)])
        // a new status answers (or, on resume, outdates) any stop request
        try clearStopRequest(runID: runID)
        try appendStatusEvent(runID: runID, status: status, at: date)
    }

    /// Marks a run completed with its final output (JSON text), and whether the token limit
    /// closed its tree (``Run/closedAtTokenLimit``).
    public func finishRun(_ runID: String, outputJSON: String, closedAtTokenLimit: Bool = false, at date: Date = Date()) throws {
        try updateRun(runID, [
            Run.Columns.status.set(to: RunStatus.completed), Run.Columns.outputJSON.set(to: outputJSON),
            Run.Columns.errorText.set(to: nil), Run.Columns.updatedAt.set(to: date),
            Run.Columns.closedAtTokenLimit.set(to: closedAtTokenLimit),
        ])
        try clearStopRequest(runID: runID)
        try appendEvent(runID: runID, kind: .finished,
                        payload: .object(["output": .embedding(outputJSON), "closedAtTokenLimit": .bool(closedAtTokenLimit)]), at: date)
    }

    /// Marks a run failed with a message for the user.
    public func failRun(_ runID: String, error: String, at date: Date = Date()) throws {
        try updateRun(runID, [
            Run.Columns.status.set(to: RunStatus.failed), Run.Columns.errorText.set(to: error),
            Run.Columns.updatedAt.set(to: date),
        ])
        try clearStopRequest(runID: runID)
        try appendEvent(runID: runID, kind: .failed, payload: .object(["error": .string(error)]), at: date)
    }

    /// Deletes a run and everything recorded for it.
    public func deleteRun(_ runID: String) throws {
        guard try Run.deleteOne(db, key: runID) else { throw StoreError.runNotFound(runID: runID) }
    }

    private func updateRun(_ runID: String, _ assignments: [ColumnAssignment]) throws {
        let changed = try Run.filter(key: runID).updateAll(db, assignments)
        if changed == 0 { throw StoreError.runNotFound(runID: runID) }
    }

    // MARK: Token log

    /// Appends tokens to a run's log. Their `seq` must continue the log densely
    /// (the first equals the run's `tokenCount`), and every record must belong to `runID`.
    /// Updates the run's `tokenCount`. Uses one prepared statement for the whole batch.
    public func appendTokens(_ tokens: [TokenRecord], to runID: String, at date: Date = Date()) throws {
        // The hot path uses cached statements with constant SQL: the query builder
        // would regenerate SQL text for every batch.
        let countStatement = try db.cachedStatement(sql: "SELECT tokenCount FROM run WHERE id = ?")
        guard let committed = try Int.fetchOne(countStatement, arguments: [runID]) else {
            throw StoreError.runNotFound(runID: runID)
        }
        guard !tokens.isEmpty else { return }
        var expected = committed
        for token in tokens {
            guard token.seq == expected, token.runID == runID else {
                throw StoreError.tokenSequenceGap(runID: runID, expected: expected, got: token.seq)
            }
            expected += 1
        }
        // Multi-row INSERTs of up to `rowsPerInsert` tokens: one statement step per chunk
        // instead of per token. Statements are cached per chunk size.
        let runIDValue = runID.databaseValue
        var start = 0
        while start < tokens.count {
            let chunk = tokens[start..<min(start + Self.rowsPerInsert, tokens.count)]
            let insert = try db.cachedStatement(sql: Self.insertTokensSQL(rows: chunk.count))
            var values: [DatabaseValue] = []
            values.reserveCapacity(chunk.count * 8)
            for token in chunk {
                values.append(runIDValue)
                values.append(token.seq.databaseValue)
                values.append(token.tokenID.databaseValue)
                values.append(token.kind.rawValue.databaseValue)
                values.append(token.round.databaseValue)
                values.append(token.taskPath?.description.databaseValue ?? .null)
                values.append(token.pruned.databaseValue)
                values.append(token.position?.databaseValue ?? .null)
            }
            insert.setUncheckedArguments(StatementArguments(values))
            try insert.execute()
            start += chunk.count
        }
        let progress = try db.cachedStatement(sql: "UPDATE run SET tokenCount = ?, updatedAt = ? WHERE id = ?")
        try progress.execute(arguments: [expected, date, runID])
    }

    /// Copies the first `count` tokens of `sourceRunID`'s log into the empty log of `runID`
    /// (for `arbor fork`), with their kinds, rounds, task paths and pruned flags.
    public func copyTokenLog(from sourceRunID: String, count: Int, to runID: String, at date: Date = Date()) throws {
        let countStatement = try db.cachedStatement(sql: "SELECT tokenCount FROM run WHERE id = ?")
        guard let sourceCount = try Int.fetchOne(countStatement, arguments: [sourceRunID]) else {
            throw StoreError.runNotFound(runID: sourceRunID)
        }
        guard let targetCount = try Int.fetchOne(countStatement, arguments: [runID]) else {
            throw StoreError.runNotFound(runID: runID)
        }
        guard targetCount == 0 else {
            throw StoreError.tokenSequenceGap(runID: runID, expected: targetCount, got: 0)
        }
        guard (0...sourceCount).contains(count) else {
            throw StoreError.forkBeyondLog(runID: sourceRunID, requestedTokens: count, committedTokens: sourceCount)
        }
        try db.execute(sql: """
            INSERT INTO token (runID, seq, tokenID, kind, round, taskPath, pruned, position)
            SELECT ?, seq, tokenID, kind, round, taskPath, pruned, position FROM token WHERE runID = ? AND seq < ?
            """, arguments: [runID, sourceRunID, count])
        try db.execute(sql: "UPDATE run SET tokenCount = ?, updatedAt = ? WHERE id = ?", arguments: [count, date, runID])
    }

    /// Flags the tokens with `seq` in `range` as pruned (dropped from working memory).
    /// Returns how many tokens changed (already-pruned ones do not count).
    @discardableResult
    public func markPruned(_ runID: String, seqs range: Range<Int>) throws -> Int {
        try TokenRecord
            .filter(TokenRecord.Columns.runID == runID)
            .filter(range.contains(TokenRecord.Columns.seq))
            .filter(TokenRecord.Columns.pruned == false)
            .updateAll(db, TokenRecord.Columns.pruned.set(to: true))
    }

    // MARK: Tree

    /// Stores `node` (insert or replace) after making sure each of its ancestors is stored,
    /// inserting a missing one as an open node: a subtask finishes before its parent does.
    public func upsertNodeWithAncestors(_ node: TreeNode) throws {
        var missing: [NodePath] = []
        var ancestor = node.path.parent
        while let path = ancestor, try !TreeNode.exists(db, key: ["runID": node.runID, "round": node.round, "path": path]) {
            missing.append(path)
            ancestor = path.parent
        }
        for path in missing.reversed() { try upsertNode(TreeNode(runID: node.runID, path: path, round: node.round, state: .open)) }
        try upsertNode(node)
    }

    /// Inserts or replaces a tree node. Its parent must already be stored.
    public func upsertNode(_ node: TreeNode) throws {
        var node = node
        node.parentPath = node.path.parent  // derived: never trust a hand-edited copy
        node.depth = node.path.depth
        try node.save(db)
    }

    // MARK: Tool calls

    /// Records that tool call `seq` is about to be made. Throws
    /// ``StoreError/duplicateToolCall(runID:seq:)`` if that call is already recorded —
    /// a resumed run must look it up with ``RunStore/toolCall(runID:seq:)`` instead.
    @discardableResult
    public func recordToolCallStarted(
        runID: String, seq: Int, toolName: String, argumentsJSON: String,
        nodePath: NodePath? = nil, tokenSeq: Int? = nil, at date: Date = Date()
    ) throws -> ToolCall {
        let call = ToolCall(
            runID: runID, seq: seq, toolName: toolName, argumentsJSON: argumentsJSON,
            nodePath: nodePath, tokenSeq: tokenSeq, status: .started, startedAt: date)
        try recordToolCall(call)
        return call
    }

    /// Records the outcome of a started tool call. Throws
    /// ``StoreError/toolCallNotStarted(runID:seq:)`` if it was not started or already finished.
    public func recordToolCallFinished(runID: String, seq: Int, outcome: ToolCallOutcome, at date: Date = Date()) throws {
        let started = ToolCall
            .filter(ToolCall.Columns.runID == runID && ToolCall.Columns.seq == seq)
            .filter(ToolCall.Columns.status == ToolCallStatus.started)
        let changed: Int
        switch outcome {
        case .succeeded(let resultJSON):
            changed = try started.updateAll(db, [
                ToolCall.Columns.status.set(to: ToolCallStatus.succeeded),
                ToolCall.Columns.resultJSON.set(to: resultJSON), ToolCall.Columns.finishedAt.set(to: date),
            ])
        case .failed(let error):
            changed = try started.updateAll(db, [
                ToolCall.Columns.status.set(to: ToolCallStatus.failed),
                ToolCall.Columns.errorText.set(to: error), ToolCall.Columns.finishedAt.set(to: date),
            ])
        }
        if changed == 0 { throw StoreError.toolCallNotStarted(runID: runID, seq: seq) }
        try touchRun(runID, date)
        if let call = try ToolCall.fetchOne(db, key: ["runID": runID, "seq": seq]) {
            try appendEvent(runID: runID, kind: .toolFinished, payload: Self.toolEventPayload(call), at: date)
        }
    }

    /// Records a whole tool call at once (started or already finished). Throws
    /// ``StoreError/duplicateToolCall(runID:seq:)`` if `(runID, seq)` is already recorded.
    public func recordToolCall(_ call: ToolCall) throws {
        guard try Run.exists(db, key: call.runID) else { throw StoreError.runNotFound(runID: call.runID) }
        let key: [String: any DatabaseValueConvertible] = ["runID": call.runID, "seq": call.seq]
        guard try !ToolCall.exists(db, key: key) else {
            throw StoreError.duplicateToolCall(runID: call.runID, seq: call.seq)
        }
        try call.insert(db)
        try appendEvent(runID: call.runID, kind: call.status == .started ? .toolStarted : .toolFinished,
                        payload: Self.toolEventPayload(call), at: call.finishedAt ?? call.startedAt)
        try updateRun(call.runID, [
            Run.Columns.toolCallCount.set(to: Run.Columns.toolCallCount + 1),
            Run.Columns.updatedAt.set(to: call.finishedAt ?? call.startedAt),
        ])
    }

    // MARK: Rounds

    /// Inserts or replaces a round (e.g. once when it starts, again with its summary).
    public func saveRound(_ round: Round) throws {
        guard try Run.exists(db, key: round.runID) else { throw StoreError.runNotFound(runID: round.runID) }
        try round.save(db)
        let count = try Round.filter(Round.Columns.runID == round.runID).fetchCount(db)
        try updateRun(round.runID, [Run.Columns.roundCount.set(to: count), Run.Columns.updatedAt.set(to: Date())])
        if round.finishedAt != nil {
            try appendEvent(runID: round.runID, kind: .roundEnded, payload: .object([
                "number": .integer(round.number), "summary": .nullable(round.summary), "promptTokens": .integer(round.promptTokens),
                "generatedTokens": .integer(round.generatedTokens), "peakKeptTokens": .integer(round.peakKeptTokens),
            ]))
        }
    }

    // MARK: KV rows

    /// Stores the KV rows of tokens `firstSeq ..< firstSeq + count`, `rowBytes` each, from
    /// `data` (their rows one after another). A token's rows replace any stored before.
    public func appendKVRows(runID: String, firstSeq: Int, rowBytes: Int, data: UnsafeRawBufferPointer) throws {
        guard rowBytes > 0, data.count % rowBytes == 0 else {
            throw StoreError.kvRowsMalformed(runID: runID, detail: "\(data.count) bytes are not whole rows of \(rowBytes) bytes")
        }
        let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO kvRow (runID, seq, data) VALUES (?, ?, ?)")
        for index in 0..<(data.count / rowBytes) {
            let row = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: data.baseAddress! + index * rowBytes),
                           count: rowBytes, deallocator: .none)
            try statement.execute(arguments: [runID, firstSeq + index, row])
        }
    }

    /// Deletes the KV rows of tokens in `seqs`; returns how many. Use
    /// ``releaseKVRows(runID:seqs:)`` when the tokens left the cache: a row deleted here
    /// counts as missing, and a resume then computes the context instead of copying it.
    @discardableResult
    public func deleteKVRows(runID: String, seqs: Range<Int>) throws -> Int {
        try db.execute(sql: "DELETE FROM kvRow WHERE runID = ? AND seq >= ? AND seq < ?",
                       arguments: [runID, seqs.lowerBound, seqs.upperBound])
        return db.changesCount
    }

    /// Deletes the KV rows of tokens in `seqs` because they left the cache, and records that
    /// they did (``RunStore/kvRowByteCount(runID:coveringCachedTokensIn:)`` reads it).
    public func releaseKVRows(runID: String, seqs: Range<Int>) throws {
        guard !seqs.isEmpty else { return }
        try deleteKVRows(runID: runID, seqs: seqs)
        try db.execute(sql: "INSERT OR IGNORE INTO kvRowRelease (runID, firstSeq, endSeq) VALUES (?, ?, ?)",
                       arguments: [runID, seqs.lowerBound, seqs.upperBound])
    }

    /// 64 rows × 8 columns stays well under SQLite's default limit of 32,766 variables.
    static let rowsPerInsert = 64

    static func insertTokensSQL(rows: Int) -> String {
        let row = "(?, ?, ?, ?, ?, ?, ?, ?)"
        return "INSERT INTO token (runID, seq, tokenID, kind, round, taskPath, pruned, position) VALUES "
            + Array(repeating: row, count: rows).joined(separator: ", ")
    }

    private func touchRun(_ runID: String, _ date: Date) throws {
        try updateRun(runID, [Run.Columns.updatedAt.set(to: date)])
    }
}
