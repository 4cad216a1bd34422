import ArborStore
import ArborStoreTestSupport
import Foundation
import XCTest

/// `arbor runs` and `arbor inspect` open the database read-only: they never write it, so a
/// file its reader may not write is read as it is.
final class ReadOnlyOpeningTests: XCTestCase {
    func testOpenExistingReadsWithoutEverWriting() throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("arbor.sqlite").path
        do {
            let store = try RunStore(path: path)
            try store.createRun(sampleRun(id: "r-read01"))
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let store = try RunStore.openExisting(path: path)
        XCTAssertEqual(try store.listRuns().map(\.id), ["r-read01"])
        XCTAssertEqual(try store.loadRun(id: "r-read01").run.id, "r-read01")
        XCTAssertThrowsError(try store.createRun(sampleRun(id: "r-read02")), "the reading store refuses writes") { error in
            XCTAssertTrue("\(error)".lowercased().contains("readonly") || "\(error)".lowercased().contains("read-only"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before, "the file is unchanged")
    }
}
