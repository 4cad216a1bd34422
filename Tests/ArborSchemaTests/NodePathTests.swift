import ArborSchema
import Foundation
import XCTest

/// The task path's value type, as the runtime uses it without the store.
final class NodePathValueTests: XCTestCase {
    func testParsesOnlyDottedIndexesWithoutLeadingZeros() {
        XCTAssertEqual(NodePath(parsing: "0.2.1")?.components, [0, 2, 1])
        XCTAssertEqual(NodePath(parsing: "10")?.components, [10])
        for text in ["", ".", "0.", ".1", "0..1", "01", "-1", "a", "1.b", "0 .1", "１"] {
            XCTAssertNil(NodePath(parsing: text), text)
        }
    }

    func testPrefixesNameTheEnclosingTasks() {
        let path = NodePath([0, 2, 1])
        XCTAssertEqual((1...3).map { path.prefix(depth: $0).description }, ["0", "0.2", "0.2.1"])
        XCTAssertEqual(path.prefix(depth: 2), path.parent)
    }

    func testCodesAsItsDottedText() throws {
        let encoded = try JSONEncoder().encode([NodePath([0, 10])])
        XCTAssertEqual(String(decoding: encoded, as: UTF8.self), #"["0.10"]"#)
        XCTAssertEqual(try JSONDecoder().decode([NodePath].self, from: encoded), [NodePath([0, 10])])
        XCTAssertThrowsError(try JSONDecoder().decode([NodePath].self, from: Data(#"["0.01"]"#.utf8)))
    }
}
