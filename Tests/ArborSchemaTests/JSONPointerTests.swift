import XCTest
@testable import ArborSchema

final class JSONPointerTests: XCTestCase {
    func testEscapesTildeAndSlash() throws {
        let pointer = JSONPointer(tokens: ["a/b", "m~n", "", "0"])
        XCTAssertEqual(pointer.string, "/a~1b/m~0n//0")
        XCTAssertEqual(try JSONPointer(parsing: pointer.string), pointer)
        XCTAssertEqual(try JSONPointer(parsing: "/~01").tokens, ["~1"], "~01 decodes to ~1, not /")
        XCTAssertEqual(JSONPointer.root.string, "")
        XCTAssertEqual(JSONPointer.root.displayString, "(root)")
    }

    func testRejectsMalformedPointers() {
        XCTAssertThrowsError(try JSONPointer(parsing: "a/b")) { XCTAssertEqual($0 as? JSONPointerError, .missingLeadingSlash("a/b")) }
        XCTAssertThrowsError(try JSONPointer(parsing: "/a~2")) { XCTAssertEqual($0 as? JSONPointerError, .invalidEscape("/a~2")) }
        XCTAssertThrowsError(try JSONPointer(parsing: "/a~")) { XCTAssertEqual($0 as? JSONPointerError, .invalidEscape("/a~")) }
        XCTAssertThrowsError(try JSONPointer(uriFragment: "#/a%2")) { XCTAssertEqual($0 as? JSONPointerError, .invalidPercentEncoding("#/a%2")) }
    }

    func testResolvesRFC6901Examples() throws {
        let document = try JSONValue(parsing: #"""
        {"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4, "i\\j": 5,
         "k\"l": 6, " ": 7, "m~n": 8}
        """#)
        let expectations: [(String, JSONValue)] = [
            ("", document), ("/foo", ["bar", "baz"]), ("/foo/0", "bar"), ("/", 0), ("/a~1b", 1),
            ("/c%d", 2), ("/e^f", 3), ("/g|h", 4), ("/i\\j", 5), ("/k\"l", 6), ("/ ", 7), ("/m~0n", 8),
        ]
        for (string, expected) in expectations {
            XCTAssertEqual(try JSONPointer(parsing: string).resolve(in: document), expected, string)
        }
        XCTAssertNil(try JSONPointer(parsing: "/foo/2").resolve(in: document))
        XCTAssertNil(try JSONPointer(parsing: "/foo/01").resolve(in: document))
        XCTAssertNil(try JSONPointer(parsing: "/foo/-").resolve(in: document))
        XCTAssertNil(try JSONPointer(parsing: "/nope").resolve(in: document))
        XCTAssertEqual(document[pointer: JSONPointer(tokens: ["foo", "1"])], "baz")
        XCTAssertEqual(try JSONPointer(uriFragment: "#/c%25d").resolve(in: document), 2)
        XCTAssertEqual(try JSONPointer(uriFragment: "#/%20").resolve(in: document), 7)
    }

    func testURIFragmentRoundTrip() throws {
        let pointer = JSONPointer(tokens: ["$defs", "a b", "c/d", "é"])
        XCTAssertEqual(pointer.uriFragment, "#/$defs/a%20b/c~1d/%C3%A9")
        XCTAssertEqual(try JSONPointer(uriFragment: pointer.uriFragment), pointer)
        XCTAssertEqual(try JSONPointer(uriFragment: "#"), .root)
    }

    func testAppendingAndParent() {
        let pointer = JSONPointer.root.appending("sources").appending(index: 0).appending("url")
        XCTAssertEqual(pointer.displayString, "/sources/0/url")
        XCTAssertEqual(pointer.parent?.string, "/sources/0")
        XCTAssertNil(JSONPointer.root.parent)
    }
}
