import XCTest
@testable import ArborSchema

final class JSONParserTests: XCTestCase {
    private func parseError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONParseError? {
        do {
            let value = try JSONValue(parsing: text)
            XCTFail("expected a parse error, got \(value)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testParsesScalarsAndKeepsIntegersExact() throws {
        XCTAssertEqual(try JSONValue(parsing: "null"), .null)
        XCTAssertEqual(try JSONValue(parsing: " true "), .bool(true))
        XCTAssertEqual(try JSONValue(parsing: "false"), .bool(false))
        guard case .integer(9007199254740993) = try JSONValue(parsing: "9007199254740993") else {
            return XCTFail("a 64-bit integer must stay exact")
        }
        guard case .integer(Int64.min) = try JSONValue(parsing: "-9223372036854775808") else {
            return XCTFail("Int64.min must stay an integer")
        }
        guard case .number(let big) = try JSONValue(parsing: "9223372036854775808") else {
            return XCTFail("an integer beyond Int64 becomes a double")
        }
        XCTAssertEqual(big, 9223372036854775808.0)
        guard case .number(let d) = try JSONValue(parsing: "1.0") else { return XCTFail("1.0 is a double") }
        XCTAssertEqual(d, 1.0)
        guard case .number(let e) = try JSONValue(parsing: "-2.5E-3") else { return XCTFail("exponent form") }
        XCTAssertEqual(e, -0.0025)
        guard case .number(100) = try JSONValue(parsing: "1e2") else { return XCTFail("1e2 is a double") }
    }

    func testParsesStringsWithEscapesAndUnicode() throws {
        let value = try JSONValue(parsing: #""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00é😀""#)
        XCTAssertEqual(value, .string("a\"b\\c/d\u{08}\u{0C}\n\r\té😀é😀"))
    }

    func testParsesNestedStructuresInOrder() throws {
        let value = try JSONValue(parsing: #"{"z": [1, {"y": []}, {}], "a": "b"}"#)
        XCTAssertEqual(value.objectValue?.keys, ["z", "a"])
        XCTAssertEqual(value["z"]?[1]?["y"], .array([]))
    }

    func testDuplicateKeyLastValueWinsAtFirstPosition() throws {
        let value = try JSONValue(parsing: #"{"a": 1, "b": 2, "a": 3}"#)
        XCTAssertEqual(value.objectValue?.keys, ["a", "b"])
        XCTAssertEqual(value["a"], 3)
    }

    func testParsesFromBytes() throws {
        XCTAssertEqual(try JSONValue(parsing: Array(#"["é"]"#.utf8)), ["é"])
        XCTAssertThrowsError(try JSONValue(parsing: [0x22, 0xC3, 0x28, 0x22])) { error in
            XCTAssertEqual((error as? JSONParseError)?.offset, 1)
        }
    }

    func testErrorPositionsAreLineColumnAndByteOffset() {
        let error = parseError("{\n  \"a\": tru\n}")
        XCTAssertEqual(error?.line, 2)
        XCTAssertEqual(error?.column, 8)
        XCTAssertEqual(error?.offset, 9)
        XCTAssertTrue(error?.message.contains("true") ?? false)
        XCTAssertEqual(error?.description, "invalid JSON at line 2, column 8 (byte 9): invalid literal, expected `true`.")

        // Columns count Unicode scalars, offsets count bytes.
        let unicode = parseError("[\"é\", x]")
        XCTAssertEqual(unicode?.column, 7)
        XCTAssertEqual(unicode?.offset, 7)
    }

    func testRejectsInvalidTexts() {
        let cases: [(String, String, Int)] = [
            ("", "unexpected end of input", 0),
            ("[1,]", "expected a value", 3),
            ("{\"a\":1,}", "expected a string key", 7),
            ("{'a':1}", "expected a string key", 1),
            ("[1 2]", "expected `,` or `]`", 3),
            ("{\"a\" 1}", "expected `:`", 5),
            ("01", "leading zero", 0),
            ("-", "minus sign", 1),
            ("1.", "decimal point", 2),
            (".5", "expected a value", 0),
            ("1e", "exponent", 2),
            ("+1", "expected a value", 0),
            ("NaN", "expected a value", 0),
            ("Infinity", "expected a value", 0),
            ("1e999", "out of the range", 0),
            ("\"abc", "unterminated string", 0),
            ("\"a\tb\"", "control character", 2),
            ("\"\\x41\"", "invalid escape", 1),
            ("\"\\u12\"", "four hexadecimal digits", 1),
            ("\"\\ud800\"", "high surrogate", 1),
            ("\"\\udc00\"", "lone low surrogate", 1),
            ("[1] 2", "after the end", 4),
            ("nul", "expected `null`", 0),
            ("truex", "expected `true`", 0),
            ("\u{FEFF}1", "byte order mark", 0),
            ("[1}", "expected `,` or `]`", 2),
            ("{\"a\":1]", "expected `,` or `}`", 6),
            ("[", "expected a value", 1),
            ("{", "unexpected end of input inside an object", 1),
            ("// c\n1", "expected a value", 0),
        ]
        for (text, fragment, offset) in cases {
            guard let error = parseError(text) else { continue }
            XCTAssertTrue(error.message.contains(fragment), "\(text.debugDescription): \(error.message)")
            XCTAssertEqual(error.offset, offset, "\(text.debugDescription): \(error)")
        }
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        XCTAssertTrue(parseError(deep)?.message.contains("nesting deeper") ?? false)
        let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        XCTAssertNoThrow(try JSONValue(parsing: ok))
    }
}
