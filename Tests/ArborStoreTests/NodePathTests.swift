import ArborSchema
import ArborStore
import XCTest

final class NodePathTests: XCTestCase {
    func testParsesPrintsAndRelatesPaths() throws {
        let path = try NodePath("0.2.1")
        XCTAssertEqual(path.components, [0, 2, 1])
        XCTAssertEqual(path.description, "0.2.1")
        XCTAssertEqual(path.parent, NodePath([0, 2]))
        XCTAssertNil(NodePath([3]).parent)
        XCTAssertEqual(path.depth, 3)
        XCTAssertEqual(path.child(4), NodePath([0, 2, 1, 4]))
    }

    func testRejectsMalformedPaths() {
        for text in ["", ".", "0.", ".1", "0..1", "01", "-1", "a", "1.b", "0 .1", "１"] {
            XCTAssertThrowsError(try NodePath(text), text) { error in
                XCTAssertEqual(error as? StoreError, .invalidNodePath(text))
            }
        }
    }

    func testOrdersNumerically() throws {
        let sorted = try ["1", "0.10", "0", "0.9", "0.10.0", "10", "2"].map(NodePath.init).sorted()
        XCTAssertEqual(sorted.map(\.description), ["0", "0.9", "0.10", "0.10.0", "1", "2", "10"])
    }
}

final class DatabaseLocationTests: XCTestCase {
    func testPrefersArborDBThenXDGThenHome() {
        XCTAssertEqual(DatabaseLocation.default(environment: ["ARBOR_DB": "/x/a.sqlite", "XDG_DATA_HOME": "/d", "HOME": "/h"]),
                       "/x/a.sqlite")
        XCTAssertEqual(DatabaseLocation.default(environment: ["XDG_DATA_HOME": "/d", "HOME": "/h"]), "/d/arbor/arbor.sqlite")
        XCTAssertEqual(DatabaseLocation.default(environment: ["ARBOR_DB": "", "HOME": "/h"]), "/h/.local/share/arbor/arbor.sqlite")
    }

    func testRunIDsAreShortAndDistinct() {
        let ids = (0..<1_000).map { _ in Run.makeID() }
        XCTAssertEqual(Set(ids).count, ids.count)
        for id in ids {
            XCTAssertTrue(id.hasPrefix("r-") && id.count == 8, id)
            XCTAssertTrue(id.dropFirst(2).allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }, id)
        }
    }
}
