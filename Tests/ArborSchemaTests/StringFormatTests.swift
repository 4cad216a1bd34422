import XCTest
@testable import ArborSchema

final class StringFormatTests: XCTestCase {
    /// Strings on which each format's regex and its full check must agree, and ones where the
    /// check is stricter than the regex (semantics a regular language does not express).
    private let samples: [StringFormat: (agree: [String], regexOnly: [String])] = [
        .dateTime: (["2024-05-17T08:30:00Z", "2024-05-17T08:30:00.5+05:30", "2024-05-17 08:30:00Z", "2024-05-17T08:30:00", "x"],
                    ["2023-02-29T00:00:00Z", "2024-01-01T12:00:60Z"]),
        .date: (["2024-02-29", "2024-13-01", "2024-1-01", "02024-01-01", ""], ["2023-02-29", "2024-06-31"]),
        .time: (["00:00:00Z", "23:59:59.999-12:00", "24:00:00Z", "12:00:00"], ["10:00:60Z"]),
        .email: (["a@b.c", "a.b+c@d-e.f", "a@b", "a@@b", "a@b.", "a b@c"], [String(repeating: "a", count: 65) + "@b.c"]),
        .uuid: (["123e4567-e89b-12d3-a456-426614174000", "123e4567e89b12d3a456426614174000", "g23e4567-e89b-12d3-a456-426614174000"], []),
        .uri: (["https://a.b/c?d#e", "urn:x", "a:", "://x", "http://a b", "http://%41"], []),
        .ipv4: (["1.2.3.4", "255.255.255.255", "256.1.1.1", "01.1.1.1", "1.1.1", "1.1.1.1.1"], []),
        .ipv6: (["::", "::1", "fe80::1:2", "1:2:3:4:5:6:7:8", "::ffff:1.2.3.4", "1::2::3", "1:2:3:4:5:6:7:8:9", "::ffff:1.2.3.256"], []),
        .hostname: (["example.com", "a", "a-.b", "a..b", "xn--p1ai", "a_b"], [String(repeating: "abcdefghi.", count: 25) + "abcd"]),
    ]

    func testRegexAndCheckAgreeExceptForSemantics() throws {
        for format in StringFormat.allCases {
            let sample = try XCTUnwrap(samples[format], "\(format) needs samples")
            let pattern = try RegexPattern(format.regex)
            let dfa = try pattern.dfa(mode: .search)
            for string in sample.agree {
                XCTAssertEqual(pattern.matches(string), format.isValid(string), "\(format.rawValue): \(string)")
                XCTAssertEqual(dfa.matches(string), format.isValid(string), "\(format.rawValue) DFA: \(string)")
            }
            for string in sample.regexOnly {
                XCTAssertTrue(pattern.matches(string), "\(format.rawValue) regex should accept \(string)")
                XCTAssertFalse(format.isValid(string), "\(format.rawValue) check should reject \(string)")
            }
        }
    }

    func testFormatRegexesAreAnchored() throws {
        for format in StringFormat.allCases {
            XCTAssertTrue(format.regex.hasPrefix("^") && format.regex.hasSuffix("$"), format.rawValue)
            XCTAssertNoThrow(try format.pattern.dfa(mode: .wholeString), format.rawValue)
        }
    }
}
