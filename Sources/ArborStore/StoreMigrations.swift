import GRDB

/// The database layout, as named, ordered, append-only migrations.
///
/// Never edit or reorder a shipped migration: add a new one at the end. A database that
/// holds a migration this list does not know was written by a newer Arbor and is refused
/// (``StoreError/newerVersion(path:unknownMigrations:)``). `PRAGMA user_version` mirrors the
/// number of applied migrations so that `sqlite3 arbor.sqlite 'PRAGMA user_version'` tells
/// the schema version without GRDB.
///
/// Layout (v7):
/// - `run` — one row per run; JSON columns are checked with `json_valid`. v4 adds
///   `closedAtTokenLimit` (the token limit closed the run's tree: not a normal finish) and
///   `forkedAtRound` (the summary round of `forkedAtPath`).
/// - `treeNode` — `(runID, round, path)` key (v3; v1 keyed it by `(runID, path)`, so rounds
///   overwrote each other); `(runID, round, parentPath)` references the parent node.
/// - `token` — the append-only token log, `(runID, seq)` key, `WITHOUT ROWID` so the log is
///   stored in seq order inside its primary-key b-tree.
/// - `toolCall` — `(runID, seq)` key: a tool call is recorded exactly once.
/// - `round` — `(runID, number)` key.
/// - `kvRow` — `(runID, seq)` key; one cached token's keys and values (v2; v1's unused
///   `kvSnapshot` table is dropped).
/// - `runEvent` — `(runID, seq)` key, `WITHOUT ROWID`; what happened in a run, in order,
///   for live views (v5).
/// - `runStopRequest` — `runID` key; a stop asked for by another process (`arbor serve`'s
///   button), read by the run writer at its commits (v6).
/// - `kvRowRelease` — `(runID, firstSeq, endSeq)` key, `WITHOUT ROWID`; tokens whose KV rows
///   were deleted because they left the cache (pruned, or dropped at a round's end), so a
///   resume tells a row that left with its token from one that is missing (v7).
/// Every child table cascades on run deletion.
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-runs-tree-tokens-tools-rounds-snapshots") { db in
            try createV1(db)
        }
        migrator.registerMigration("v2-kv-rows") { db in
            // replaces the whole-cache snapshots of v1, which nothing wrote
            try db.drop(table: "kvSnapshot")
            // Each cached token's keys and values as computed, so a resume copies them back
            // instead of recomputing the context; rows leave when their token leaves the cache.
            try db.create(table: "kvRow") { t in
                t.column("runID", .text).notNull().references("run", onDelete: .cascade)
                t.column("seq", .integer).notNull().check(sql: "seq >= 0")
                t.column("data", .blob).notNull()
                t.primaryKey(["runID", "seq"])
            }
        }
        migrator.registerMigration("v3-tree-nodes-per-round") { db in
            // Each summary round has its own tree (its first task is `0` again): v1's key
            // (runID, path) made a later round overwrite an earlier round's tasks.
            try db.create(table: "treeNodeByRound") { t in
                t.column("runID", .text).notNull().references("run", onDelete: .cascade)
                t.column("path", .text).notNull()
                t.column("parentPath", .text)
                t.column("depth", .integer).notNull().check(sql: "depth >= 1")
                t.column("round", .integer).notNull().check(sql: "round >= 0")
                t.column("thought", .text)
                t.column("conclusion", .text)
                t.column("state", .text).notNull().check(sql: "state IN ('open', 'closed', 'pruned')")
                t.column("firstTokenSeq", .integer)
                t.column("endTokenSeq", .integer)
                t.primaryKey(["runID", "round", "path"])
                t.foreignKey(["runID", "round", "parentPath"], references: "treeNode", columns: ["runID", "round", "path"],
                             onDelete: .cascade)
                t.check(sql: "(parentPath IS NULL) = (depth = 1)")
                t.check(sql: "endTokenSeq IS NULL OR firstTokenSeq IS NULL OR endTokenSeq >= firstTokenSeq")
            }
            try db.execute(sql: "INSERT INTO treeNodeByRound SELECT runID, path, parentPath, depth, round, thought, conclusion, state, firstTokenSeq, endTokenSeq FROM treeNode")
            try db.drop(table: "treeNode")
            try db.rename(table: "treeNodeByRound", to: "treeNode")
        }
        migrator.registerMigration("v4-run-token-limit-and-fork-round") { db in
            try db.alter(table: "run") { t in
                // a finished run whose tree the token limit closed (its answer written in the
                // reserve or cut to its shortest valid form), so it never passes for a normal finish
                t.add(column: "closedAtTokenLimit", .boolean).notNull().defaults(to: false)
                // node paths repeat in every summary round: the round a fork departed in
                t.add(column: "forkedAtRound", .integer).check(sql: "forkedAtRound IS NULL OR forkedAtRound >= 0")
            }
        }
        migrator.registerMigration("v5-run-events") { db in
            // What a live view follows: one row per event, numbered per run without gaps and
            // written in the transaction of what it describes. WITHOUT ROWID keeps each run's
            // events in seq order inside the key's b-tree, so "events after n" is one range scan.
            try db.create(table: "runEvent", options: [.withoutRowID]) { t in
                t.column("runID", .text).notNull().references("run", onDelete: .cascade)
                t.column("seq", .integer).notNull().check(sql: "seq >= 1")
                t.column("kind", .text).notNull()
                t.column("payloadJSON", .text).notNull().check(sql: "json_valid(payloadJSON)")
                t.column("createdAt", .datetime).notNull()
                t.primaryKey(["runID", "seq"])
            }
        }
        migrator.registerMigration("v6-run-stop-requests") { db in
            // A stop asked for by another process: the run's writer reads it at its commits and
            // stops between tokens, so the run ends paused (resumable) whichever process runs it.
            try db.create(table: "runStopRequest") { t in
                t.primaryKey("runID", .text).references("run", onDelete: .cascade)
                t.column("requestedAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v7-kv-row-releases") { db in
            // Which tokens left the cache with their rows: a resume checks before replaying that
            // every other token has its row, instead of finding a hole at the end.
            try db.create(table: "kvRowRelease", options: .withoutRowID) { t in
                t.column("runID", .text).notNull().references("run", onDelete: .cascade)
                t.column("firstSeq", .integer).notNull().check(sql: "firstSeq >= 0")
                t.column("endSeq", .integer).notNull()
                t.primaryKey(["runID", "firstSeq", "endSeq"])
                t.check(sql: "endSeq > firstSeq")
            }
        }
        return migrator
    }

    private static func createV1(_ db: Database) throws {
        try db.create(table: "run") { t in
            t.primaryKey("id", .text).check(sql: "length(id) > 0")
            t.column("workflow", .text).notNull()
            t.column("specText", .text).notNull()
            t.column("specSHA256", .text).notNull().check(sql: "length(specSHA256) = 64")
            t.column("inputsJSON", .text).notNull().check(sql: "json_valid(inputsJSON)")
            t.column("modelPath", .text).notNull()
            t.column("modelSHA256", .text).notNull().check(sql: "length(modelSHA256) = 64")
            t.column("samplingJSON", .text).notNull().check(sql: "json_valid(samplingJSON)")
            t.column("status", .text).notNull()
                .check(sql: "status IN ('running', 'paused', 'completed', 'failed')")
            t.column("createdAt", .datetime).notNull()
            t.column("updatedAt", .datetime).notNull()
            t.column("outputJSON", .text).check(sql: "outputJSON IS NULL OR json_valid(outputJSON)")
            t.column("errorText", .text)
            t.column("tokenCount", .integer).notNull().defaults(to: 0).check(sql: "tokenCount >= 0")
            t.column("toolCallCount", .integer).notNull().defaults(to: 0).check(sql: "toolCallCount >= 0")
            t.column("roundCount", .integer).notNull().defaults(to: 0).check(sql: "roundCount >= 0")
            t.column("forkedFromRunID", .text).references("run", onDelete: .setNull)
            t.column("forkedAtPath", .text)
            t.check(sql: "status <> 'completed' OR outputJSON IS NOT NULL")
            t.check(sql: "status <> 'failed' OR errorText IS NOT NULL")
        }
        try db.create(index: "run_createdAt", on: "run", columns: ["createdAt"])

        try db.create(table: "treeNode") { t in
            t.column("runID", .text).notNull().references("run", onDelete: .cascade)
            t.column("path", .text).notNull()
            t.column("parentPath", .text)
            t.column("depth", .integer).notNull().check(sql: "depth >= 1")
            t.column("round", .integer).notNull().check(sql: "round >= 0")
            t.column("thought", .text)
            t.column("conclusion", .text)
            t.column("state", .text).notNull().check(sql: "state IN ('open', 'closed', 'pruned')")
            t.column("firstTokenSeq", .integer)
            t.column("endTokenSeq", .integer)
            t.primaryKey(["runID", "path"])
            t.foreignKey(["runID", "parentPath"], references: "treeNode", columns: ["runID", "path"], onDelete: .cascade)
            t.check(sql: "(parentPath IS NULL) = (depth = 1)")
            t.check(sql: "endTokenSeq IS NULL OR firstTokenSeq IS NULL OR endTokenSeq >= firstTokenSeq")
        }

        try db.create(table: "token", options: [.withoutRowID]) { t in
            t.column("runID", .text).notNull().references("run", onDelete: .cascade)
            t.column("seq", .integer).notNull().check(sql: "seq >= 0")
            t.column("tokenID", .integer).notNull().check(sql: "tokenID >= 0")
            t.column("kind", .text).notNull()
                .check(sql: "kind IN ('prompt', 'generated', 'forced', 'toolResult')")
            t.column("round", .integer).notNull().check(sql: "round >= 0")
            t.column("taskPath", .text)
            t.column("pruned", .boolean).notNull().defaults(to: false)
            t.column("position", .integer)
            t.primaryKey(["runID", "seq"])
        }

        try db.create(table: "toolCall") { t in
            t.column("runID", .text).notNull().references("run", onDelete: .cascade)
            t.column("seq", .integer).notNull().check(sql: "seq >= 0")
            t.column("toolName", .text).notNull()
            t.column("argumentsJSON", .text).notNull().check(sql: "json_valid(argumentsJSON)")
            t.column("nodePath", .text)
            t.column("tokenSeq", .integer)
            t.column("status", .text).notNull().check(sql: "status IN ('started', 'succeeded', 'failed')")
            t.column("resultJSON", .text).check(sql: "resultJSON IS NULL OR json_valid(resultJSON)")
            t.column("errorText", .text)
            t.column("startedAt", .datetime).notNull()
            t.column("finishedAt", .datetime)
            t.primaryKey(["runID", "seq"])
            t.check(sql: """
                (status = 'started' AND resultJSON IS NULL AND errorText IS NULL AND finishedAt IS NULL)
                OR (status = 'succeeded' AND resultJSON IS NOT NULL AND finishedAt IS NOT NULL)
                OR (status = 'failed' AND errorText IS NOT NULL AND finishedAt IS NOT NULL)
                """)
        }

        try db.create(table: "round") { t in
            t.column("runID", .text).notNull().references("run", onDelete: .cascade)
            t.column("number", .integer).notNull().check(sql: "number >= 0")
            t.column("summary", .text)
            t.column("promptTokens", .integer).notNull().check(sql: "promptTokens >= 0")
            t.column("generatedTokens", .integer).notNull().check(sql: "generatedTokens >= 0")
            t.column("peakKeptTokens", .integer).notNull().check(sql: "peakKeptTokens >= 0")
            t.column("startedAt", .datetime).notNull()
            t.column("finishedAt", .datetime)
            t.primaryKey(["runID", "number"])
        }

        try db.create(table: "kvSnapshot") { t in
            t.column("runID", .text).notNull().references("run", onDelete: .cascade)
            t.column("tokenCount", .integer).notNull().check(sql: "tokenCount >= 0")
            t.column("format", .text).notNull()
            t.column("byteCount", .integer).notNull()
            t.column("checksum", .integer).notNull()
            t.column("data", .blob).notNull()
            t.column("createdAt", .datetime).notNull()
            t.primaryKey(["runID", "tokenCount"])
            t.check(sql: "byteCount = length(data)")
        }
    }
}
