import ArborSchema
import ArborStore
import ArborStoreTestSupport
import Foundation
import XCTest

final class RunStoreRecordTests: XCTestCase {
    func testMigrationsCreateTheSchema() throws {
        try forEachStore(self) { store in
            XCTAssertThrowsStoreError(try store.loadRun(id: "r-none"), .runNotFound(runID: "r-none"))
            XCTAssertEqual(try store.journalMode(), store.path == ":memory:" ? "memory" : "wal")
            XCTAssertEqual(try store.listRuns(), [])
        }
    }

    func testRunRoundTripsAndStatusChanges() throws {
        try forEachStore(self) { store in
            let created = Date(timeIntervalSince1970: 1_800_000_000)
            var run = sampleRun(createdAt: created)
            run.forkedAtPath = nil
            try store.createRun(run)
            XCTAssertEqual(try store.run(id: run.id), run)
            XCTAssertThrowsStoreError(try store.createRun(run), .duplicateRun(runID: run.id))

            try store.updateRunStatus(run.id, to: .paused)
            XCTAssertEqual(try store.run(id: run.id)?.status, .paused)
            try store.finishRun(run.id, outputJSON: #"{"answer":42}"#)
            let finished = try XCTUnwrap(store.run(id: run.id))
            XCTAssertEqual(finished.status, .completed)
            XCTAssertEqual(finished.outputJSON, #"{"answer":42}"#)

            try store.createRun(sampleRun(id: "r-fail01"))
            try store.failRun("r-fail01", error: "model file missing")
            XCTAssertEqual(try store.run(id: "r-fail01")?.errorText, "model file missing")
            XCTAssertThrowsStoreError(try store.updateRunStatus("r-absent", to: .paused), .runNotFound(runID: "r-absent"))
        }
    }

    func testSchemaRejectsInvalidJSONAndBadHashes() throws {
        try forEachStore(self) { store in
            var run = sampleRun()
            run.inputsJSON = "{not json"
            XCTAssertThrowsError(try store.createRun(run)) { error in
                guard case .constraintViolated = error as? StoreError else { return XCTFail("\(error)") }
            }
            run = sampleRun()
            run.specSHA256 = "abc"
            XCTAssertThrowsError(try store.createRun(run))
            try store.createRun(sampleRun())
            XCTAssertThrowsError(try store.finishRun(sampleRun().id, outputJSON: "nope"))
            XCTAssertEqual(try store.run(id: sampleRun().id)?.status, .running, "a refused write changes nothing")
        }
    }

    func testTokenBatchesAppendInOrderAndUpdateProgress() throws {
        try forEachStore(self) { store in
            let run = sampleRun()
            try store.createRun(run)
            try store.appendTokens(sampleTokens(runID: run.id, seqs: 0..<64), to: run.id)
            try store.appendTokens(sampleTokens(runID: run.id, seqs: 64..<100), to: run.id)
            let log = try store.tokens(runID: run.id)
            XCTAssertEqual(log.map(\.seq), Array(0..<100))
            XCTAssertEqual(log, sampleTokens(runID: run.id, seqs: 0..<100))
            XCTAssertEqual(try store.run(id: run.id)?.tokenCount, 100)
            XCTAssertEqual(try store.tokens(runID: run.id, from: 90, limit: 5).map(\.seq), [90, 91, 92, 93, 94])
        }
    }

    func testTokenAppendRefusesGapsAndRollsBackTheBatch() throws {
        try forEachStore(self) { store in
            let run = sampleRun()
            try store.createRun(run)
            try store.appendTokens(sampleTokens(runID: run.id, seqs: 0..<10), to: run.id)
            XCTAssertThrowsStoreError(
                try store.appendTokens(sampleTokens(runID: run.id, seqs: 11..<20), to: run.id),
                .tokenSequenceGap(runID: run.id, expected: 10, got: 11))
            var broken = sampleTokens(runID: run.id, seqs: 10..<20)
            broken[5].seq = 99
            XCTAssertThrowsStoreError(
                try store.appendTokens(broken, to: run.id), .tokenSequenceGap(runID: run.id, expected: 15, got: 99))
            XCTAssertEqual(try store.tokens(runID: run.id).count, 10, "the failed batch left nothing behind")
            XCTAssertEqual(try store.run(id: run.id)?.tokenCount, 10)
            XCTAssertThrowsStoreError(
                try store.appendTokens(sampleTokens(runID: "r-absent", seqs: 0..<1), to: "r-absent"),
                .runNotFound(runID: "r-absent"))
        }
    }

    func testMarkPrunedFlagsOnlyTheRange() throws {
        try forEachStore(self) { store in
            let run = sampleRun()
            try store.createRun(run)
            try store.appendTokens(sampleTokens(runID: run.id, seqs: 0..<50), to: run.id)
            XCTAssertEqual(try store.markPruned(run.id, seqs: 10..<20), 10)
            XCTAssertEqual(try store.markPruned(run.id, seqs: 15..<25), 5, "already-pruned tokens are not counted again")
            let pruned = try store.tokens(runID: run.id).filter(\.pruned).map(\.seq)
            XCTAssertEqual(pruned, Array(10..<25))
            let stats = try store.loadRun(id: run.id).tokens
            XCTAssertEqual(stats.total, 50)
            XCTAssertEqual(stats.pruned, 15)
            XCTAssertEqual(stats.kept, 35)
            XCTAssertEqual(stats.byKind, [.prompt: 4, .generated: 46])
        }
    }

    func testTreeNodesRoundTripInNumericPathOrderAndNeedTheirParent() throws {
        try forEachStore(self) { store in
            let run = sampleRun()
            try store.createRun(run)
            XCTAssertThrowsError(try store.upsertNode(TreeNode(runID: run.id, path: NodePath([0, 1]), round: 0, state: .open)),
                                 "a node whose parent is not stored is refused")
            let paths = [[0], [0, 0], [0, 9], [0, 10], [0, 10, 2], [1]]
            for components in paths {
                try store.upsertNode(TreeNode(runID: run.id, path: NodePath(components), round: 0, state: .open, firstTokenSeq: 3))
            }
            var node = TreeNode(runID: run.id, path: NodePath([0, 9]), round: 0, thought: "check disk",
                                conclusion: "disk is full", state: .pruned, firstTokenSeq: 3, endTokenSeq: 40)
            try store.upsertNode(node)
            let nodes = try store.nodes(runID: run.id)
            XCTAssertEqual(nodes.map(\.path.description), ["0", "0.0", "0.9", "0.10", "0.10.2", "1"])
            XCTAssertEqual(nodes[2], node)
            XCTAssertEqual(nodes[4].parentPath, NodePath([0, 10]))
            XCTAssertEqual(nodes[4].depth, 3)
            node.endTokenSeq = 1
            XCTAssertThrowsError(try store.upsertNode(node), "a span may not end before it starts")
        }
    }

    func testASubtaskFinishingFirstStoresItsAncestorsAsOpenNodes() throws {
        try forEachStore(self) { store in
            let run = sampleRun()
            try store.createRun(run)
            try store.checkpoint { tx in
                try tx.upsertNodeWithAncestors(TreeNode(runID: run.id, path: NodePath([0, 1, 2]), round: 0, thought: "leaf", state: .closed))
            }
            var nodes = try store.loadRun(id: run.id).nodes
            XCTAssertEqual(nodes.map(\.path), [NodePath([0]), NodePath([0, 1]), NodePath([0, 1, 2])])
            XCTAssertEqual(nodes.map(\.state), [.open, .open, .closed])
            // the parent finishing later replaces its open placeholder
            try store.checkpoint { tx in
                try tx.upsertNodeWithAncestors(TreeNode(runID: run.id, path: NodePath([0, 1]), round: 0, thought: "mid", state: .closed))
            }
            nodes = try store.loadRun(id: run.id).nodes
            XCTAssertEqual(nodes.map(\.state), [.open, .closed, .closed])
            XCTAssertEqual(nodes[1].thought, "mid")
            XCTAssertEqual(nodes[2].thought, "leaf", "the child is kept")
        }
    }

    func testToolCallIsRecordedExactlyOnce() throws {
        try forEachStore(self) { store in
            let run = sampleRun()
            try store.createRun(run)
            try store.upsertNode(TreeNode(runID: run.id, path: NodePath([0]), round: 0, state: .open))
            try store.recordToolCallStarted(runID: run.id, seq: 0, toolName: "search", argumentsJSON: #"{"q":"disk"}"#,
                                            nodePath: NodePath([0]), tokenSeq: 12)
            XCTAssertThrowsStoreError(
                try store.recordToolCallStarted(runID: run.id, seq: 0, toolName: "search", argumentsJSON: "{}"),
                .duplicateToolCall(runID: run.id, seq: 0))
            XCTAssertEqual(try store.toolCall(runID: run.id, seq: 0)?.status, .started)

            try store.recordToolCallFinished(runID: run.id, seq: 0, outcome: .succeeded(resultJSON: #"{"hits":3}"#))
            XCTAssertThrowsStoreError(
                try store.recordToolCallFinished(runID: run.id, seq: 0, outcome: .failed(error: "late")),
                .toolCallNotStarted(runID: run.id, seq: 0))
            XCTAssertThrowsStoreError(
                try store.recordToolCallFinished(runID: run.id, seq: 7, outcome: .failed(error: "x")),
                .toolCallNotStarted(runID: run.id, seq: 7))

            let call = try XCTUnwrap(store.toolCall(runID: run.id, seq: 0))
            XCTAssertEqual(call.status, .succeeded)
            XCTAssertEqual(call.resultJSON, #"{"hits":3}"#)
            XCTAssertEqual(call.nodePath, NodePath([0]))
            XCTAssertEqual(call.tokenSeq, 12)
            XCTAssertNotNil(call.finishedAt)

            let failed = ToolCall(runID: run.id, seq: 1, toolName: "fetch", argumentsJSON: "{}", status: .failed,
                                  errorText: "timeout after 5 s", startedAt: Date(timeIntervalSince1970: 100),
                                  finishedAt: Date(timeIntervalSince1970: 105))
            try store.recordToolCall(failed)
            XCTAssertEqual(try store.toolCall(runID: run.id, seq: 1), failed)
            XCTAssertThrowsStoreError(try store.recordToolCall(failed), .duplicateToolCall(runID: run.id, seq: 1))
            XCTAssertNil(try store.toolCall(runID: run.id, seq: 2))
            XCTAssertEqual(try store.run(id: run.id)?.toolCallCount, 2)
        }
    }

    func testRoundsRoundTripAndCount() throws {
        try forEachStore(self) { store in
            let run = sampleRun()
            try store.createRun(run)
            let start = Date(timeIntervalSince1970: 1_000)
            try store.saveRound(Round(runID: run.id, number: 0, promptTokens: 400, startedAt: start))
            let done = Round(runID: run.id, number: 0, summary: "* disk is full", promptTokens: 400,
                             generatedTokens: 900, peakKeptTokens: 1_100, startedAt: start, finishedAt: start + 60)
            try store.saveRound(done)
            try store.saveRound(Round(runID: run.id, number: 1, promptTokens: 420, startedAt: start + 61))
            let details = try store.loadRun(id: run.id)
            XCTAssertEqual(details.rounds.first, done)
            XCTAssertEqual(details.rounds.map(\.number), [0, 1])
            XCTAssertEqual(details.run.roundCount, 2)
        }
    }

    func testKVRowsAreStoredReadBackInOrderAndDeletedByRange() throws {
        try forEachStore(self) { store in
            let run = sampleRun()
            try store.createRun(run)
            let rowBytes = 16
            let bytes = (0..<(10 * rowBytes)).map { UInt8($0 & 0xFF) }
            try store.checkpoint { tx in try bytes.withUnsafeBytes { try tx.appendKVRows(runID: run.id, firstSeq: 5, rowBytes: rowBytes, data: $0) } }
            XCTAssertTrue(try store.hasKVRows(runID: run.id))
            XCTAssertEqual(try store.kvRowStatistics(runID: run.id), KVRowStatistics(rows: 10, bytes: 160))
            var seen: [Int] = []
            try store.forEachKVRow(runID: run.id, seqs: 0..<100) { seq, row in
                seen.append(seq)
                XCTAssertEqual(Array(row), Array(bytes[((seq - 5) * rowBytes)..<((seq - 4) * rowBytes)]))
            }
            XCTAssertEqual(seen, Array(5..<15))
            XCTAssertEqual(try store.checkpoint { try $0.deleteKVRows(runID: run.id, seqs: 7..<10) }, 3)
            XCTAssertEqual(try store.kvRows(runID: run.id, seqs: 0..<100).keys.sorted(), [5, 6, 10, 11, 12, 13, 14])
            XCTAssertEqual(try store.loadRun(id: run.id).kvRows, KVRowStatistics(rows: 7, bytes: 112))
            XCTAssertThrowsStoreError(
                try store.checkpoint { tx in try [UInt8](repeating: 0, count: 17).withUnsafeBytes {
                    try tx.appendKVRows(runID: run.id, firstSeq: 20, rowBytes: rowBytes, data: $0) } },
                .kvRowsMalformed(runID: run.id, detail: "17 bytes are not whole rows of 16 bytes"))
            try store.deleteRun(run.id)
            XCTAssertFalse(try store.hasKVRows(runID: run.id), "a run's rows go with it")
        }
    }

    func testListRunsNewestFirst() throws {
        try forEachStore(self) { store in
            let base = Date(timeIntervalSince1970: 1_800_000_000)
            try store.createRun(sampleRun(id: "r-bbbbbb", workflow: "b", createdAt: base + 10))
            try store.createRun(sampleRun(id: "r-aaaaaa", workflow: "a", createdAt: base))
            try store.createRun(sampleRun(id: "r-cccccc", workflow: "c", createdAt: base + 20))
            try store.appendTokens(sampleTokens(runID: "r-aaaaaa", seqs: 0..<5), to: "r-aaaaaa")
            let runs = try store.listRuns()
            XCTAssertEqual(runs.map(\.id), ["r-cccccc", "r-bbbbbb", "r-aaaaaa"])
            XCTAssertEqual(runs.last?.tokenCount, 5)
            XCTAssertEqual(runs.last?.workflow, "a")
            XCTAssertEqual(try store.listRuns(limit: 1).map(\.id), ["r-cccccc"])
        }
    }

    func testCheckpointCommitsAllOrNothing() throws {
        try forEachStore(self) { store in
            let run = sampleRun()
            try store.createRun(run)
            struct Interrupted: Error {}
            XCTAssertThrowsError(try store.checkpoint { tx in
                try tx.appendTokens(sampleTokens(runID: run.id, seqs: 0..<10), to: run.id)
                try tx.upsertNode(TreeNode(runID: run.id, path: NodePath([0]), round: 0, state: .open))
                throw Interrupted()
            }) { XCTAssertTrue($0 is Interrupted) }
            XCTAssertEqual(try store.tokens(runID: run.id).count, 0)
            XCTAssertEqual(try store.nodes(runID: run.id).count, 0)
            try store.checkpoint { tx in
                try tx.appendTokens(sampleTokens(runID: run.id, seqs: 0..<10), to: run.id)
                try tx.upsertNode(TreeNode(runID: run.id, path: NodePath([0]), round: 0, state: .closed))
                try tx.recordToolCallStarted(runID: run.id, seq: 0, toolName: "t", argumentsJSON: "[]")
            }
            let details = try store.loadRun(id: run.id)
            XCTAssertEqual(details.tokens.total, 10)
            XCTAssertEqual(details.nodes.count, 1)
            XCTAssertEqual(details.toolCalls.count, 1)
        }
    }

    func testDeleteRunRemovesEverything() throws {
        try forEachStore(self) { store in
            let run = sampleRun()
            try store.createRun(run)
            try store.appendTokens(sampleTokens(runID: run.id, seqs: 0..<4), to: run.id)
            try store.upsertNode(TreeNode(runID: run.id, path: NodePath([0]), round: 0, state: .open))
            try store.deleteRun(run.id)
            XCTAssertNil(try store.run(id: run.id))
            XCTAssertEqual(try store.tokens(runID: run.id), [])
            XCTAssertEqual(try store.nodes(runID: run.id), [])
        }
    }

    func testForkCopiesThePrefixOfTheTokenLog() throws {
        try forEachStore(self) { store in
            let source = sampleRun(id: "r-source")
            try store.createRun(source)
            try store.appendTokens(sampleTokens(runID: source.id, seqs: 0..<40), to: source.id)
            try store.markPruned(source.id, seqs: 5..<8)
            var fork = sampleRun(id: "r-forked")
            fork.forkedFromRunID = source.id
            fork.forkedAtPath = NodePath([0, 1])
            try store.createRun(fork)
            XCTAssertThrowsStoreError(try store.copyTokenLog(from: source.id, count: 41, to: fork.id),
                                      .forkBeyondLog(runID: source.id, requestedTokens: 41, committedTokens: 40))
            try store.copyTokenLog(from: source.id, count: 25, to: fork.id)
            let copied = try store.tokens(runID: fork.id)
            let original = try store.tokens(runID: source.id, limit: 25)
            XCTAssertEqual(copied.map(\.seq), Array(0..<25))
            XCTAssertEqual(copied.map(\.tokenID), original.map(\.tokenID))
            XCTAssertEqual(copied.filter(\.pruned).map(\.seq), [5, 6, 7])
            XCTAssertEqual(try store.run(id: fork.id)?.tokenCount, 25)
            XCTAssertEqual(try store.run(id: fork.id)?.forkedAtPath, NodePath([0, 1]))
            XCTAssertThrowsStoreError(try store.copyTokenLog(from: source.id, count: 5, to: fork.id),
                                      .tokenSequenceGap(runID: fork.id, expected: 25, got: 0))
            try store.appendTokens(sampleTokens(runID: fork.id, seqs: 25..<30), to: fork.id)
            XCTAssertEqual(try store.run(id: source.id)?.tokenCount, 40, "the source is untouched")
        }
    }
}
