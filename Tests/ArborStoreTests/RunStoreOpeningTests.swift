import ArborSchema
import ArborStore
import ArborStoreTestSupport
import Foundation
import GRDB
import XCTest

final class RunStoreOpeningTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory(self)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A closed database file holding one run with tokens, a tree and KV rows.
    private func makePopulatedDatabase(_ name: String) throws -> String {
        let file = path(name)
        let store = try RunStore(path: file)
        let run = sampleRun()
        try store.createRun(run)
        try store.appendTokens(sampleTokens(runID: run.id, seqs: 0..<4_000), to: run.id)
        try store.upsertNode(TreeNode(runID: run.id, path: NodePath([0]), round: 0, state: .open))
        try store.checkpoint { tx in
            try [UInt8](repeating: 1, count: 100 * 2_000).withUnsafeBytes { try tx.appendKVRows(runID: run.id, firstSeq: 0, rowBytes: 2_000, data: $0) }
        }
        return file
    }

    func testFileStoreUsesWALAndCreatesItsDirectory() throws {
        let file = path("nested/dir/arbor.sqlite")
        let store = try RunStore(path: file)
        XCTAssertEqual(try store.journalMode(), "wal")
        XCTAssertEqual(try store.checkpoint { tx in try Int.fetchOne(tx.db, sql: "PRAGMA synchronous") }, 1, "NORMAL")
        let strict = try RunStore(path: path("strict.sqlite"), durability: .survivesPowerLoss)
        XCTAssertEqual(try strict.checkpoint { tx in try Int.fetchOne(tx.db, sql: "PRAGMA synchronous") }, 2, "FULL")
        XCTAssertTrue(FileManager.default.fileExists(atPath: file))
        let identity = try DatabaseQueue(path: file).read { db in
            (try Int32.fetchOne(db, sql: "PRAGMA application_id"), try Int.fetchOne(db, sql: "PRAGMA user_version"))
        }
        XCTAssertEqual(identity.0, RunStore.applicationID)
        XCTAssertEqual(identity.1, 7, "one per migration")
    }

    func testReopeningKeepsDataAndAnEmptyFileBecomesADatabase() throws {
        let file = try makePopulatedDatabase("arbor.sqlite")
        let reopened = try RunStore(path: file)
        XCTAssertEqual(try reopened.run(id: sampleRun().id)?.tokenCount, 4_000)
        try reopened.verifyIntegrity()

        let empty = path("empty.sqlite")
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        XCTAssertEqual(try RunStore(path: empty).listRuns(), [])
    }

    func testCommittedWritesSurviveAProcessThatNeverClosedTheDatabase() throws {
        let file = path("live.sqlite")
        let store = try RunStore(path: file)
        let run = sampleRun()
        try store.createRun(run)
        try store.checkpoint { tx in
            try tx.appendTokens(sampleTokens(runID: run.id, seqs: 0..<500), to: run.id)
            try tx.recordToolCallStarted(runID: run.id, seq: 0, toolName: "search", argumentsJSON: "{}")
        }
        // What a SIGKILL leaves: the main file and the WAL as they are on disk while the
        // store is still open (no close, no WAL checkpoint). Copy them and open the copy.
        let crashed = path("crashed.sqlite")
        try FileManager.default.copyItem(atPath: file, toPath: crashed)
        XCTAssertTrue(FileManager.default.fileExists(atPath: file + "-wal"), "writes are still in the WAL")
        try FileManager.default.copyItem(atPath: file + "-wal", toPath: crashed + "-wal")
        withExtendedLifetime(store) {}

        let recovered = try RunStore(path: crashed)
        XCTAssertEqual(try recovered.run(id: run.id)?.tokenCount, 500)
        XCTAssertEqual(try recovered.tokens(runID: run.id).map(\.seq), Array(0..<500))
        XCTAssertEqual(try recovered.toolCall(runID: run.id, seq: 0)?.toolName, "search")
        try recovered.verifyIntegrity()
    }

    func testForeignDatabaseWithOtherTablesIsRefused() throws {
        let file = path("notes.sqlite")
        try DatabaseQueue(path: file).write { db in
            try db.execute(sql: "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)")
            try db.execute(sql: "INSERT INTO note (body) VALUES ('keep me')")
        }
        XCTAssertThrowsError(try RunStore(path: file)) { error in
            guard case .foreignDatabase(let where_, let detail) = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(where_, file)
            XCTAssertTrue(detail.contains("note"), detail)
            XCTAssertTrue("\(error)".contains("not an Arbor database"), "\(error)")
        }
        let untouched = try DatabaseQueue(path: file).read { db in
            (try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"),
             try Int32.fetchOne(db, sql: "PRAGMA application_id"),
             try String.fetchOne(db, sql: "PRAGMA journal_mode"))
        }
        XCTAssertEqual(untouched.0, ["note"], "Arbor wrote nothing into the foreign database")
        XCTAssertEqual(untouched.1, 0)
        XCTAssertEqual(untouched.2, "delete", "the foreign database was not switched to WAL")
    }

    func testForeignApplicationIDIsRefused() throws {
        let file = path("other.sqlite")
        try DatabaseQueue(path: file).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA application_id = 1234")
        }
        XCTAssertThrowsError(try RunStore(path: file)) { error in
            guard case .foreignDatabase(_, let detail) = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("0x4D2"), detail)
        }
    }

    func testRandomBytesAreNotADatabase() throws {
        let file = path("random.sqlite")
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<8_192).map { _ in UInt8.random(in: 0...255, using: &generator) }
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data(bytes)))
        XCTAssertThrowsError(try RunStore(path: file)) { error in
            guard case .notADatabase(let where_, _) = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(where_, file)
        }
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data("SQLite format 3".utf8)))
        XCTAssertThrowsError(try RunStore(path: file)) { error in
            guard case .notADatabase = error as? StoreError else { return XCTFail("\(error)") }
        }
    }

    func testTruncatedDatabaseIsCorrupted() throws {
        let file = try makePopulatedDatabase("truncated.sqlite")
        XCTAssertFalse(FileManager.default.fileExists(atPath: file + "-wal"), "closing the store checkpointed the WAL")
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        try handle.truncate(atOffset: UInt64(size / 2))
        try handle.close()
        XCTAssertThrowsError(try RunStore(path: file)) { error in
            guard case .corrupted(let where_, let detail) = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(where_, file)
            XCTAssertTrue(detail.contains("truncated"), detail)
        }
    }

    func testDamagedPagesAreReportedAsCorruption() throws {
        let file = try makePopulatedDatabase("damaged.sqlite")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        try handle.seek(toOffset: 4_096)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 64 * 1_024))
        try handle.close()
        do {
            let store = try RunStore(path: file)
            try store.verifyIntegrity()
            _ = try store.loadRun(id: sampleRun().id)
            XCTFail("damaged pages went unnoticed")
        } catch let error as StoreError {
            guard case .corrupted(let where_, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(where_, file)
        }
    }

    func testDatabaseFromANewerArborIsRefused() throws {
        let file = try makePopulatedDatabase("future.sqlite")
        try DatabaseQueue(path: file).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2-future-feature')")
        }
        XCTAssertThrowsStoreError(try RunStore(path: file),
                                  .newerVersion(path: file, unknownMigrations: ["v2-future-feature"]))

        let other = try makePopulatedDatabase("future-version.sqlite")
        try DatabaseQueue(path: other).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA user_version = 8")
        }
        XCTAssertThrowsError(try RunStore(path: other)) { error in
            guard case .newerVersion = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("newer version of Arbor"), "\(error)")
        }
    }

    func testUnopenablePathIsACannotOpenError() throws {
        let blocker = path("file")
        XCTAssertTrue(FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8)))
        XCTAssertThrowsError(try RunStore(path: blocker + "/sub/arbor.sqlite")) { error in
            guard case .cannotOpen = error as? StoreError else { return XCTFail("\(error)") }
        }
    }
}
