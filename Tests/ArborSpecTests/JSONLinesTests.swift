import ArborSchema
import ArborSpec
import XCTest

final class JSONLinesTests: XCTestCase {
    func testLinesAreValuesSkippedOrMalformedAtTheirColumn() {
        let file = JSONLines(text: "{\"a\": 1}\n\n// a comment\n   {\"b\": tru}\r\n[2]\r\n", file: "cases.jsonl")
        XCTAssertEqual(file.lines.count, 6)
        XCTAssertEqual(file.lines[0], .value(["a": 1]))
        XCTAssertEqual(file.lines[1], .skipped)
        XCTAssertEqual(file.lines[2], .skipped)
        guard case .malformed(let column, let message) = file.lines[3] else { return XCTFail("line 4 is not JSON") }
        XCTAssertEqual(column, 10, "the column counts the line's leading blanks")
        XCTAssertFalse(message.isEmpty)
        XCTAssertEqual(file.lines[4], .value([2]), "a CR before the newline is not part of the line")
        XCTAssertEqual(file.lines[5], .skipped)
        XCTAssertEqual(file.numberedLines.map(\.number), Array(1...6))
        XCTAssertEqual(file.diagnostic(line: 4, column: column, message: "not JSON").description, "cases.jsonl:4:10: error: not JSON")
    }

    func testAnUnreadableFileIsADiagnosticNamingIt() {
        guard case .failure(let unreadable) = JSONLines.load(path: "/nonexistent/cases.jsonl", describedAs: "the inputs file") else {
            return XCTFail("a missing file was read")
        }
        XCTAssertTrue(unreadable.diagnostic.description.hasPrefix("/nonexistent/cases.jsonl:1:1: error: cannot read the inputs file: "),
                      unreadable.diagnostic.description)
    }
}
