import ArborStore
import Foundation
import XCTest

final class ReportJSONTests: XCTestCase {
    func testRenderingKeepsKeyOrderAndIndentsByTwoSpaces() {
        let value = ReportJSON.object([
            "z": .integer(1), "a": .array([.bool(true), .null]), "empty": .object(members: []), "none": .array([]),
        ])
        XCTAssertEqual(value.rendered(), """
            {
              "z": 1,
              "a": [
                true,
                null
              ],
              "empty": {},
              "none": []
            }

            """)
    }

    func testStringsEscapeQuotesBackslashesAndControlCharacters() throws {
        let text = "say \"hi\"\\\n\t\u{1}é"
        let rendered = ReportJSON.string(text).rendered()
        XCTAssertEqual(rendered, #""say \"hi\"\\\n\t\u0001é""# + "\n")
        let parsed = try JSONSerialization.jsonObject(with: Data(rendered.utf8), options: [.fragmentsAllowed])
        XCTAssertEqual(parsed as? String, text)
    }

    func testStoredJSONIsEmbeddedAsIsAndInvalidTextBecomesAString() {
        XCTAssertEqual(ReportJSON.embedding(#"{"b":1.50,"a":[2]}"#), .verbatim(#"{"b":1.50,"a":[2]}"#))
        XCTAssertEqual(ReportJSON.embedding(" 3\n"), .verbatim("3"))
        XCTAssertEqual(ReportJSON.embedding("not json"), .string("not json"))
        XCTAssertEqual(ReportJSON.embedding(nil), .null)
        XCTAssertEqual(ReportJSON.nullable(nil as Int?), .null)
        XCTAssertEqual(ReportJSON.nullable("x"), .string("x"))
    }

    func testNonFiniteNumbersBecomeNull() {
        XCTAssertEqual(ReportJSON.number(.nan).rendered(), "null\n")
        XCTAssertEqual(ReportJSON.number(0.3).rendered(), "0.3\n")
    }
}
