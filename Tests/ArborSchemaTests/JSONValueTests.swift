import XCTest
@testable import ArborSchema

final class JSONValueTests: XCTestCase {
    func testObjectKeepsInsertionOrder() {
        var object: JSONObject = ["b": 1, "a": 2]
        object["c"] = 3
        object["b"] = 4
        XCTAssertEqual(object.keys, ["b", "a", "c"])
        object["a"] = nil
        XCTAssertEqual(object.keys, ["b", "c"])
    }

    func testEqualityIsJSONEquality() {
        XCTAssertEqual(JSONValue.integer(1), JSONValue.number(1.0))
        XCTAssertNotEqual(JSONValue.integer(1), JSONValue.number(1.5))
        XCTAssertEqual(JSONValue.object(["a": 1, "b": 2]), JSONValue.object(["b": 2, "a": 1]))
        XCTAssertEqual(Set<JSONValue>([1, 1.0, "1"]).count, 2)
        XCTAssertNotEqual(JSONValue.bool(true), JSONValue.integer(1))
    }
}
