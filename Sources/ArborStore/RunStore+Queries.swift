import Foundation
import GRDB

/// Token counts of a run's log, by kind and pruning.
public struct TokenStatistics: Sendable, Equatable {
    public var total: Int
    public var pruned: Int
    public var byKind: [TokenRecord.Kind: Int]
    /// Tokens still in working memory.
    public var kept: Int { total - pruned }
}

/// Everything `arbor inspect` shows about one run.
public struct RunDetails: Sendable, Equatable {
    public var run: Run
    /// Tree nodes by round, then in path order (`0`, `0.0`, `0.1`, …, `0.10`, `1`).
    public var nodes: [TreeNode]
    /// Tool calls in seq order.
    public var toolCalls: [ToolCall]
    /// Rounds in order.
    public var rounds: [Round]
    public var tokens: TokenStatistics
    /// The KV rows kept for the run's cached tokens (what a resume copies back).
    public var kvRows: KVRowStatistics
}

/// How many tokens of a run have KV rows stored, and how many bytes they take.
public struct KVRowStatistics: Sendable, Equatable {
    public var rows: Int
    public var bytes: Int

    public init(rows: Int, bytes: Int) {
        self.rows = rows
        self.bytes = bytes
    }
}

extension RunStore {
    /// The run with this id, or `nil`.
    public func run(id: String) throws -> Run? {
        try read { db in try Run.fetchOne(db, key: id) }
    }

    /// Runs newest first, for `arbor runs`.
    public func listRuns(limit: Int? = nil) throws -> [RunSummary] {
        try read { db in
            var request = Run
                .select(Run.Columns.id, Run.Columns.workflow, Run.Columns.status, Run.Columns.createdAt,
                        Run.Columns.updatedAt, Run.Columns.tokenCount, Run.Columns.toolCallCount, Run.Columns.roundCount)
                .order(Run.Columns.createdAt.desc, Run.Columns.id.desc)
            if let limit { request = request.limit(limit) }
            return try RunSummary.fetchAll(db, request)
        }
    }

    /// The run and everything recorded for it; throws ``StoreError/runNotFound(runID:)``.
    public func loadRun(id: String) throws -> RunDetails {
        try read { db in try Self.loadRun(db, id: id) }
    }

    static func loadRun(_ db: Database, id: String) throws -> RunDetails {
        guard let run = try Run.fetchOne(db, key: id) else { throw StoreError.runNotFound(runID: id) }
        let nodes = try TreeNode.filter(TreeNode.Columns.runID == id).fetchAll(db).sorted(by: TreeNode.inTreeOrder)
        let calls = try ToolCall.filter(ToolCall.Columns.runID == id).order(ToolCall.Columns.seq).fetchAll(db)
        let rounds = try Round.filter(Round.Columns.runID == id).order(Round.Columns.number).fetchAll(db)
        var byKind: [TokenRecord.Kind: Int] = [:]
        var total = 0
        var pruned = 0
        let rows = try Row.fetchAll(db, sql: """
            SELECT kind, pruned, count(*) AS n FROM token WHERE runID = ? GROUP BY kind, pruned
            """, arguments: [id])
        for row in rows {
            let kind: TokenRecord.Kind = row["kind"]
            let count: Int = row["n"]
            byKind[kind, default: 0] += count
            total += count
            if row["pruned"] as Bool { pruned += count }
        }
        return RunDetails(
            run: run, nodes: nodes, toolCalls: calls, rounds: rounds,
            tokens: TokenStatistics(total: total, pruned: pruned, byKind: byKind),
            kvRows: try Self.kvRowStatistics(db, runID: id))
    }

    /// The token log from `seq` on (at most `limit` tokens), in seq order.
    public func tokens(runID: String, from seq: Int = 0, limit: Int? = nil) throws -> [TokenRecord] {
        try read { db in
            var request = TokenRecord
                .filter(TokenRecord.Columns.runID == runID && TokenRecord.Columns.seq >= seq)
                .order(TokenRecord.Columns.seq)
            if let limit { request = request.limit(limit) }
            return try request.fetchAll(db)
        }
    }

    /// The run's tree nodes by round, then in path order.
    public func nodes(runID: String) throws -> [TreeNode] {
        try read { db in
            try TreeNode.filter(TreeNode.Columns.runID == runID).fetchAll(db).sorted(by: TreeNode.inTreeOrder)
        }
    }

    /// Tool call `seq` of the run if recorded: resume reuses its result instead of calling again.
    /// The run's tool calls in seq order.
    public func toolCalls(runID: String) throws -> [ToolCall] {
        try read { db in try ToolCall.filter(ToolCall.Columns.runID == runID).order(ToolCall.Columns.seq).fetchAll(db) }
    }

    public func toolCall(runID: String, seq: Int) throws -> ToolCall? {
        try read { db in try ToolCall.fetchOne(db, key: ["runID": runID, "seq": seq]) }
    }

    /// Calls `body` with each stored KV row of the tokens in `seqs`, in seq order, without
    /// copying it (the bytes are valid during the call only). Tokens whose rows were never
    /// stored or were deleted are skipped.
    public func forEachKVRow(runID: String, seqs: Range<Int>, _ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        try read { db in
            let cursor = try Row.fetchCursor(db, sql: "SELECT seq, data FROM kvRow WHERE runID = ? AND seq >= ? AND seq < ? ORDER BY seq",
                                             arguments: [runID, seqs.lowerBound, seqs.upperBound])
            while let row = try cursor.next() {
                let seq: Int = row[0]
                try row.withUnsafeData(atIndex: 1) { data in
                    guard let data else { return }
                    try data.withUnsafeBytes { try body(seq, $0) }
                }
            }
        }
    }

    /// The stored KV rows of tokens in `seqs`, by seq (copies; see ``forEachKVRow(runID:seqs:_:)``).
    public func kvRows(runID: String, seqs: Range<Int>) throws -> [Int: Data] {
        var rows: [Int: Data] = [:]
        try forEachKVRow(runID: runID, seqs: seqs) { rows[$0] = Data($1) }
        return rows
    }

    /// The size of the run's KV rows when they can stand in for computing tokens `seqs`: every
    /// token there has a row, unless the record says it left the cache (its row released, or
    /// the token pruned), and every row there has the same size. Nil otherwise — rows lost
    /// or damaged, or none kept — and then a resume computes the context instead.
    public func kvRowByteCount(runID: String, coveringCachedTokensIn seqs: Range<Int>) throws -> Int? {
        guard !seqs.isEmpty else { return nil }
        return try read { db in
            let arguments: StatementArguments = [runID, seqs.lowerBound, seqs.upperBound]
            let sizes = try Int.fetchAll(db, sql: "SELECT DISTINCT length(data) FROM kvRow WHERE runID = ? AND seq >= ? AND seq < ?",
                                         arguments: arguments)
            guard sizes.count == 1 else { return nil }
            let missing = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM token t WHERE t.runID = ? AND t.seq >= ? AND t.seq < ? AND NOT t.pruned
                    AND NOT EXISTS (SELECT 1 FROM kvRow k WHERE k.runID = t.runID AND k.seq = t.seq)
                    AND NOT EXISTS (SELECT 1 FROM kvRowRelease r
                                    WHERE r.runID = t.runID AND r.firstSeq <= t.seq AND t.seq < r.endSeq))
                """, arguments: arguments) ?? true
            return missing ? nil : sizes[0]
        }
    }

    /// Whether any KV row of the run is stored.
    public func hasKVRows(runID: String) throws -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM kvRow WHERE runID = ?)", arguments: [runID]) ?? false }
    }

    /// How many tokens of the run have KV rows stored, and their bytes.
    public func kvRowStatistics(runID: String) throws -> KVRowStatistics {
        try read { db in try Self.kvRowStatistics(db, runID: runID) }
    }

    private static func kvRowStatistics(_ db: Database, runID: String) throws -> KVRowStatistics {
        let row = try Row.fetchOne(db, sql: "SELECT count(*), coalesce(sum(length(data)), 0) FROM kvRow WHERE runID = ?",
                                   arguments: [runID])
        return KVRowStatistics(rows: row?[0] ?? 0, bytes: row?[1] ?? 0)
    }
}
