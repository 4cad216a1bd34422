import ArborSchema
import XCTest

final class ShorthandParserTests: XCTestCase {
    func testParsesNestedGenericsAndBounds() throws {
        XCTAssertEqual(try ShorthandType(parsing: "list[Optional[int[0, 10]]]"),
                       .list(.optional(.integer(minimum: 0, maximum: 10))))
        XCTAssertEqual(try ShorthandType(parsing: "float[-1.5,]"), .number(minimum: .number(-1.5), maximum: nil))
        XCTAssertEqual(try ShorthandType(parsing: " dict[ str , list[Source] ] "), .dictionary(.list(.named("Source"))))
        XCTAssertEqual(try ShorthandType(parsing: #"Literal["a", 'b', 3, true]"#), .literal(["a", "b", 3, true]))
        XCTAssertEqual(try ShorthandType(parsing: "datetime"), .formatted(.dateTime))
    }

    func testLiteralStringsReadEscapesAsPythonDoes() throws {
        XCTAssertEqual(try ShorthandType(parsing: #"Literal["x\ny"]"#), .literal(["x\ny"]), "Pydantic keeps the newline")
        XCTAssertEqual(try ShorthandType(parsing: #"Literal['tab\there', "q\"uote", 'back\\slash']"#),
                       .literal(["tab\there", "q\"uote", "back\\slash"]))
        XCTAssertEqual(try ShorthandType(parsing: #"Literal["\x41\u00e9\U0001F600"]"#), .literal(["Aé😀"]))
        XCTAssertEqual(try ShorthandType(parsing: #"Literal["\d+"]"#), .literal(["\\d+"]), "an unknown escape keeps its backslash")
    }

    func testErrorsSayWhereInTheString() {
        let cases: [(String, Int, String)] = [
            ("list[strr]", 5, "unknown type `strr`"),
            ("list[str", 8, "expected `]` to close `list[`"),
            ("int[0 10]", 6, "expected `,` between the bounds"),
            ("int[a,10]", 4, "expected `,`"),
            ("int[1.5,2]", 4, "the bound `1.5` is not an integer"),
            ("int[10,0]", 0, "lower bound"),
            ("dict[int, str]", 5, "key type must be `str`"),
            (#"Literal["a", b]"#, 13, "`b` is not a literal value"),
            (#"Literal["a]"#, 8, "not closed"),
            ("str[5]", 3, "`str` takes no arguments"),
            ("Lisst[str]", 0, "unknown generic type `Lisst`"),
            ("list", 0, "needs an element type"),
            ("str int", 4, "unexpected `i` after the type"),
            ("", 0, "the type is empty"),
            ("string", 0, "unknown type `string`"),
        ]
        for (text, offset, message) in cases {
            do {
                let parsed = try ShorthandType(parsing: text)
                XCTFail("\(text) parsed as \(parsed)")
            } catch {
                XCTAssertEqual(error.offset, offset, text)
                XCTAssertTrue(error.message.contains(message), "\(text): \(error.message)")
            }
        }
    }

    func testHintsSuggestTheNearestName() {
        XCTAssertEqual((try? ShorthandType(parsing: "list[flaot]")).debugDescription, "nil")
        do { _ = try ShorthandType(parsing: "list[flaot]") } catch { XCTAssertEqual(error.hint, "did you mean `float`?") }
        do { _ = try ShorthandType(parsing: "Optinal[str]") } catch { XCTAssertEqual(error.hint, "did you mean `Optional`?") }
        XCTAssertEqual(SpellingHint.closest(to: "paramters", in: ["parameters", "description"]), "parameters")
        XCTAssertNil(SpellingHint.closest(to: "zzz", in: ["parameters"]))
    }
}
