import ArborStore
import ArborStoreTestSupport
import Foundation
import GRDB
import XCTest

final class RunLookupTests: XCTestCase {
    func testAnExactIdOrAUniqueStartOfOneFindsTheRun() throws {
        let store = try RunStore()
        for (offset, id) in ["r-abc111", "r-abd222", "r-x", "r-xy"].enumerated() {
            try store.createRun(sampleRun(id: id, createdAt: InspectedRunFixture.base.addingTimeInterval(Double(offset))))
        }
        XCTAssertEqual(try store.resolveRunID("r-abc111"), .found("r-abc111"))
        XCTAssertEqual(try store.resolveRunID("r-abc"), .found("r-abc111"))
        XCTAssertEqual(try store.resolveRunID("r-abd2"), .found("r-abd222"))
        XCTAssertEqual(try store.resolveRunID("r-x"), .found("r-x"), "an exact id wins over longer ids it starts")
        XCTAssertEqual(try store.resolveRunID("r-ab"), .ambiguous(query: "r-ab", candidates: ["r-abc111", "r-abd222"]))
        XCTAssertEqual(try store.resolveRunID("R-ABC"), .notFound(query: "R-ABC", newestIDs: ["r-xy", "r-x", "r-abd222", "r-abc111"]),
                       "ids are matched case-sensitively")
        XCTAssertEqual(try store.runCount(), 4)
    }

    func testLikeWildcardsInTheQueryAreLiteral() throws {
        let store = try RunStore()
        try store.createRun(sampleRun(id: "r-a_b"))
        try store.createRun(sampleRun(id: "r-acb"))
        XCTAssertEqual(try store.resolveRunID("r-a_"), .found("r-a_b"))
        XCTAssertEqual(try store.resolveRunID("r-a%"), .notFound(query: "r-a%", newestIDs: ["r-acb", "r-a_b"]))
    }

    func testProblemsSayWhereToFindTheIds() {
        XCTAssertNil(RunIDResolution.found("r-1").problem(databasePath: "/d/arbor.sqlite"))
        XCTAssertEqual(
            RunIDResolution.notFound(query: "r-zz", newestIDs: ["r-b", "r-a"])
                .problem(databasePath: "/d/arbor.sqlite", runsCommand: "arbor runs --db /d/arbor.sqlite"),
            "No run r-zz in /d/arbor.sqlite. `arbor runs --db /d/arbor.sqlite` lists the stored runs "
                + "(the newest: r-b, r-a); the start of an id is enough if it is unique.")
        XCTAssertEqual(
            RunIDResolution.notFound(query: "r-zz", newestIDs: []).problem(databasePath: "/d/arbor.sqlite"),
            "No run r-zz in /d/arbor.sqlite: it holds no runs yet. `arbor run SPEC.yaml` records one, "
                + "and --db or ARBOR_DB chooses another database.")
        XCTAssertEqual(
            RunIDResolution.ambiguous(query: "r-", candidates: ["r-1", "r-2"]).problem(databasePath: "/d/a.sqlite"),
            "r- is the start of more than one run id (r-1, r-2) in /d/a.sqlite; type more of the id. "
                + "`arbor runs` lists the stored runs.")
    }

    func testAnAmbiguousStartListsFiveIdsAndSaysThereAreMore() throws {
        let store = try RunStore()
        for index in 0..<7 { try store.createRun(sampleRun(id: "r-same\(index)")) }
        let resolution = try store.resolveRunID("r-same")
        XCTAssertEqual(resolution, .ambiguous(query: "r-same", candidates: (0..<6).map { "r-same\($0)" }))
        XCTAssertEqual(
            resolution.problem(databasePath: "/d"),
            "r-same is the start of more than one run id (r-same0, r-same1, r-same2, r-same3, r-same4, …) in /d; "
                + "type more of the id. `arbor runs` lists the stored runs.")
    }

    // MARK: - Opening a database that must exist

    func testOpeningExistingRefusesAMissingDirectoryAndCreatesNothing() throws {
        let directory = try makeTemporaryDirectory(self)
        let missing = directory.appendingPathComponent("nowhere").path
        let file = missing + "/arbor.sqlite"
        XCTAssertThrowsError(try RunStore.openExisting(path: file)) { error in
            guard case let .cannotOpen(path, detail)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, file)
            XCTAssertTrue(detail.contains("its directory \(missing) does not exist"), detail)
            XCTAssertTrue("\(error)".contains("`arbor run` creates the database"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing))
    }

    func testOpeningExistingRefusesAMissingFileAndADirectory() throws {
        let directory = try makeTemporaryDirectory(self)
        let file = directory.appendingPathComponent("absent.sqlite").path
        XCTAssertThrowsError(try RunStore.openExisting(path: file)) { error in
            guard case let .cannotOpen(_, detail)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.hasPrefix("there is no such file"), detail)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: file))
        XCTAssertThrowsStoreError(
            try RunStore.openExisting(path: directory.path),
            .cannotOpen(path: directory.path, detail: "it is a directory; give the path of the database file inside it"))
    }

    func testOpeningExistingRefusesAnEmptyFileAndLeavesItEmpty() throws {
        let file = try makeTemporaryDirectory(self).appendingPathComponent("empty.sqlite").path
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data()))
        XCTAssertThrowsStoreError(
            try RunStore.openExisting(path: file),
            .notADatabase(path: file, detail: "the file is empty (0 bytes), so it holds no runs"))
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int, 0)
    }

    func testOpeningExistingChecksTheFileLikeAnyOpen() throws {
        let directory = try makeTemporaryDirectory(self)
        let foreign = directory.appendingPathComponent("other.sqlite").path
        try DatabaseQueue(path: foreign).write { db in try db.execute(sql: "CREATE TABLE photos (id INTEGER)") }
        XCTAssertThrowsError(try RunStore.openExisting(path: foreign)) { error in
            guard case .foreignDatabase? = error as? StoreError else { return XCTFail("\(error)") }
        }
        let good = directory.appendingPathComponent("arbor.sqlite").path
        try InspectedRunFixture.populate(RunStore(path: good))
        XCTAssertEqual(try RunStore.openExisting(path: good).listRuns().map(\.id), [InspectedRunFixture.id])
    }
}
