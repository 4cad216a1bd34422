import ArborStore
import ArborStoreTestSupport
import Foundation
import XCTest

/// Page size and WAL checkpointing of file stores (``StoreTuning``): a new file takes the tuned
/// page size, and the write-ahead log stays bounded however many KV rows pass through it.
final class StoreTuningTests: XCTestCase {
    /// One KV row of SmolLM2-135M: 30 layers × K,V × 3 heads × 64 × f16.
    private let rowBytes = 23_040

    func testANewDatabaseTakesTheTunedPageSizeAndAnExistingOneKeepsItsOwn() throws {
        let directory = try makeTemporaryDirectory(self)
        let tuned = directory.appendingPathComponent("tuned.sqlite").path
        let before = directory.appendingPathComponent("before.sqlite").path
        do {
            XCTAssertEqual(try RunStore(path: tuned).pageSize(), StoreTuning.standard.pageSize)
            XCTAssertEqual(try RunStore(path: before, tuning: .sqliteDefaults).pageSize(), 4096)
        }
        let sixteen = StoreTuning(pageSize: 16_384, checkpointing: StoreTuning.standard.checkpointing)
        let reopened = try RunStore(path: before, tuning: sixteen)
        XCTAssertEqual(try reopened.pageSize(), 4096, "a file keeps the page size it was created with")
        try reopened.createRun(sampleRun())
        XCTAssertEqual(try reopened.run(id: sampleRun().id)?.id, sampleRun().id)
        XCTAssertEqual(try RunStore(path: tuned, tuning: sixteen).pageSize(), StoreTuning.standard.pageSize)
    }

    func testBackgroundCheckpointsLetTheLogStartOver() throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("runs.sqlite").path
        let tuning = StoreTuning(pageSize: 8192, checkpointing: .background(afterBytes: 256 << 10, capBytes: 64 << 20))
        let store = try RunStore(path: path, tuning: tuning)
        try store.createRun(sampleRun())
        // 30 commits of 8 rows: about 5.5 MB through the log, 184 KB a commit.
        for commit in 0..<30 {
            try writeRows(store, firstSeq: commit * 8, count: 8)
            store.waitForBackgroundCheckpoints()
        }
        let wal = store.walStatistics
        XCTAssertGreaterThan(wal.backgroundCheckpoints, 0)
        XCTAssertEqual(wal.writerCheckpoints, 0, "the background kept up: no commit checkpointed by itself")
        XCTAssertLessThan(wal.largestLogBytes, 1 << 20, "the log started over after each checkpoint instead of growing to 5.5 MB")
        XCTAssertLessThan(try walFileSize(path), 1 << 20)
        XCTAssertEqual(try store.kvRowStatistics(runID: sampleRun().id), KVRowStatistics(rows: 240, bytes: 240 * rowBytes))
    }

    func testTheLogNeverPassesItsCapByMoreThanOneCommit() throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("runs.sqlite").path
        let cap = 1 << 20
        let store = try RunStore(path: path, tuning: StoreTuning(pageSize: 8192, checkpointing: .background(afterBytes: cap, capBytes: cap)))
        try store.createRun(sampleRun())
        let oneCommit = 8 * 4 * 8192 + 64 << 10  // 8 rows of three pages (and their b-tree pages), with room
        for commit in 0..<30 {  // no waiting: the commits outrun the background
            try writeRows(store, firstSeq: commit * 8, count: 8)
            XCTAssertLessThanOrEqual(try walFileSize(path), cap + oneCommit, "after commit \(commit)")
        }
        let wal = store.walStatistics
        XCTAssertGreaterThan(wal.writerCheckpoints, 0, "the commits that reached the cap checkpointed")
        XCTAssertLessThanOrEqual(wal.largestLogBytes, cap + oneCommit)
        XCTAssertEqual(try store.kvRowStatistics(runID: sampleRun().id).rows, 240)
    }

    func testAStoreThatCheckpointsOnCommitHasNoBackgroundCheckpoints() throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("runs.sqlite").path
        let store = try RunStore(path: path, tuning: .sqliteDefaults)
        try store.createRun(sampleRun())
        for commit in 0..<30 { try writeRows(store, firstSeq: commit * 8, count: 8) }
        XCTAssertEqual(store.walStatistics, WALStatistics())
        // SQLite's own checkpoints (every 1,000 pages) keep the log near 4 MB, not 5.5 MB and growing.
        XCTAssertLessThan(try walFileSize(path), 5 << 20)
    }

    private func writeRows(_ store: RunStore, firstSeq: Int, count: Int) throws {
        let bytes = [UInt8](repeating: UInt8(firstSeq & 0xFF), count: count * rowBytes)
        try store.checkpoint { tx in
            try bytes.withUnsafeBytes { try tx.appendKVRows(runID: sampleRun().id, firstSeq: firstSeq, rowBytes: rowBytes, data: $0) }
        }
    }

    private func walFileSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
    }
}
