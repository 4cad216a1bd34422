import ArborSchema
@testable import ArborTesting
import XCTest

final class ArgumentMatchTests: XCTestCase {
    let arguments: JSONValue = ["query": "everest boiling point", "count": 5, "filters": ["lang": "en", "safe": true]]

    func testExactNeedsEveryMemberEqualInAnyKeyOrder() {
        XCTAssertTrue(ArgumentMatch.exact(["count": 5.0, "filters": ["safe": true, "lang": "en"], "query": "everest boiling point"]).matches(arguments))
        XCTAssertFalse(ArgumentMatch.exact(["query": "everest boiling point"]).matches(arguments))
    }

    func testSubsetAllowsExtraMembersAtEveryDepth() {
        XCTAssertTrue(ArgumentMatch.subset(["filters": ["lang": "en"]]).matches(arguments))
        XCTAssertFalse(ArgumentMatch.subset(["filters": ["lang": "de"]]).matches(arguments))
        XCTAssertFalse(ArgumentMatch.subset(["missing": 1]).matches(arguments))
    }

    func testPatternMatchesWholeStringsByRegex() {
        XCTAssertTrue(ArgumentMatch.pattern(["query": "everest .*"]).matches(arguments))
        XCTAssertFalse(ArgumentMatch.pattern(["query": "everest"]).matches(arguments), "a pattern must match the whole string")
        XCTAssertTrue(ArgumentMatch.pattern(["count": 5]).matches(arguments), "non-strings compare equal")
        XCTAssertTrue(ArgumentMatch.any.matches(arguments))
    }

    func testInvalidPatternsAreFoundWithTheirPointer() {
        let invalid = ArgumentMatch.pattern(["filters": ["lang": "(en"]]).invalidPatterns()
        XCTAssertEqual(invalid.map(\.pointer.string), ["/filters/lang"])
    }
}
