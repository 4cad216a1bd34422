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

    func testMultiLineStoredJSONIsIndentedWithItsKey() throws {
        let value = ReportJSON.object(["output": .embedding("{\n  \"answer\": \"a\\nb\"\n}")])
        let rendered = value.rendered()
        XCTAssertEqual(rendered, """
            {
              "output": {
                "answer": "a\\nb"
              }
            }

            """)
        let parsed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [String: [String: String]])
        XCTAssertEqual(parsed["output"]?["answer"], "a\nb")
    }

    func testNonFiniteNumbersBecomeNull() {
        XCTAssertEqual(ReportJSON.number(.nan).rendered(), "null\n")
        XCTAssertEqual(ReportJSON.number(0.3).rendered(), "0.3\n")
    }
}
