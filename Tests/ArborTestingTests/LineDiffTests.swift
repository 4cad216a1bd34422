@testable import ArborTesting
import XCTest

final class LineDiffTests: XCTestCase {
    func testChangedLineShowsAsRemovedThenAdded() {
        XCTAssertEqual(LineDiff.render(expected: "{\n  \"a\": 1,\n  \"b\": 2\n}", actual: "{\n  \"a\": 1,\n  \"b\": 3\n}"),
                       "  {\n    \"a\": 1,\n-   \"b\": 2\n+   \"b\": 3\n  }")
    }

    func testInsertedAndDeletedLinesKeepTheCommonOnes() {
        XCTAssertEqual(LineDiff.render(expected: "a\nb\nc", actual: "a\nc\nd"), "  a\n- b\n  c\n+ d")
        XCTAssertEqual(LineDiff.render(expected: "same", actual: "same"), "  same")
    }
}
