import ArborSchema
@testable import ArborTesting
import XCTest

final class JSONPathTests: XCTestCase {
    let document: JSONValue = [
        "answer": 200, "unit": "km",
        "items": [["name": "a", "total": 2], ["name": "b", "total": 3.5]],
        "nested": ["deep": ["total": 9]],
        "odd key": true,
    ]

    func testMemberAndIndexSegmentsSelectOneValue() throws {
        XCTAssertEqual(try JSONPath("$.answer").select(in: document), [200])
        XCTAssertEqual(try JSONPath("$.items[1].name").select(in: document), ["b"])
        XCTAssertEqual(try JSONPath("$.items[-1].total").select(in: document), [3.5])
        XCTAssertEqual(try JSONPath("$['odd key']").select(in: document), [true])
        XCTAssertEqual(try JSONPath("$[\"unit\"]").select(in: document), ["km"])
        XCTAssertTrue(try JSONPath("$.items[0].total").isSingular)
    }

    func testPathWithoutDollarIsRelativeToTheRoot() throws {
        let path = try JSONPath("items[0].name")
        XCTAssertEqual(path.select(in: document), ["a"])
        XCTAssertEqual(path.description, "$.items[0].name")
    }

    func testWildcardAndDescendantSelectEveryMatchInOrder() throws {
        XCTAssertEqual(try JSONPath("$.items[*].total").select(in: document), [2, 3.5])
        XCTAssertEqual(try JSONPath("$.items.*.name").select(in: document), ["a", "b"])
        XCTAssertEqual(try JSONPath("$..total").select(in: document), [2, 3.5, 9])
        XCTAssertFalse(try JSONPath("$..total").isSingular)
    }

    func testMissingMembersAndIndexesSelectNothing() throws {
        XCTAssertEqual(try JSONPath("$.missing").select(in: document), [])
        XCTAssertEqual(try JSONPath("$.items[5]").select(in: document), [])
        XCTAssertEqual(try JSONPath("$.answer[0]").select(in: document), [])
        XCTAssertEqual(JSONPath.root.select(in: document), [document])
    }

    func testMalformedPathsReportTheOffset() {
        XCTAssertThrowsError(try JSONPath("$.items[0")) { error in
            guard case JSONPathError.invalid(_, let offset, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(offset, 7)
        }
        XCTAssertThrowsError(try JSONPath("$.items[x]"))
        XCTAssertThrowsError(try JSONPath("$."))
        XCTAssertThrowsError(try JSONPath("$..*"))
    }
}
