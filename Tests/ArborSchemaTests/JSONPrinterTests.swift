import Foundation
import XCTest
@testable import ArborSchema

final class JSONPrinterTests: XCTestCase {
    func testCompactKeepsKeyOrderAndKinds() {
        let value: JSONValue = ["b": [1, 2.5, "x", true, nil], "a": [:], "c": []]
        XCTAssertEqual(value.compactString, #"{"b":[1,2.5,"x",true,null],"a":{},"c":[]}"#)
    }

    func testPrettyUsesTwoSpaces() {
        let value: JSONValue = ["a": [1, ["b": nil]], "e": []]
        XCTAssertEqual(value.prettyString, """
        {
          "a": [
            1,
            {
              "b": null
            }
          ],
          "e": []
        }
        """)
    }

    func testNumbersPrintExactlyAndShortest() {
        XCTAssertEqual(JSONValue.integer(Int64.max).compactString, "9223372036854775807")
        XCTAssertEqual(JSONValue.number(2).compactString, "2.0")
        XCTAssertEqual(JSONValue.number(0.1).compactString, "0.1")
        XCTAssertEqual(JSONValue.number(1e20).compactString, "1e+20")
        XCTAssertEqual(JSONValue.number(-0.0).compactString, "-0.0")
        XCTAssertEqual(JSONValue.number(.nan).compactString, "null")
        XCTAssertEqual(JSONValue.number(.infinity).compactString, "null")
    }

    func testStringsAreEscaped() {
        XCTAssertEqual(JSONValue.string("a\"b\\c\n\t\u{01}\u{1F}é😀\u{2028}/").compactString,
                       #""a\"b\\c\n\t\u0001\u001Fé😀\u2028/""#)
    }

    func testRoundTripKeepsValuesAndKinds() throws {
        let texts = [
            #"{"z":1,"a":[1.5,-0.25,1e-07,1.7976931348623157e+308,5e-324,3.0]}"#,
            #"[null,true,false,"\u0000 \"q\" é",{"":{"~/":[]}}]"#,
            #"[9223372036854775807,-9223372036854775808,1e+16,0.30000000000000004]"#,
        ]
        for text in texts {
            let value = try JSONValue(parsing: text)
            for printed in [value.compactString, value.prettyString] {
                let reparsed = try JSONValue(parsing: printed)
                XCTAssertEqual(reparsed, value)
                XCTAssertEqual(reparsed.compactString, value.compactString, "kinds and order must survive")
            }
        }
        XCTAssertEqual(try JSONValue(parsing: texts[0]).compactString, texts[0])
    }

    func testEveryFixtureFileRoundTrips() throws {
        var files = try FixturePaths.files(in: "Schema")
        files += try FixturePaths.files(in: "Regex")
        XCTAssertFalse(files.isEmpty)
        for url in files {
            let value = try JSONValue(parsing: Data(contentsOf: url))
            XCTAssertEqual(try JSONValue(parsing: value.compactString).compactString, value.compactString, url.lastPathComponent)
            XCTAssertEqual(try JSONValue(parsing: value.prettyString), value, url.lastPathComponent)
        }
    }
}
