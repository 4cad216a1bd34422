import Foundation
import XCTest
@testable import ArborSchema

final class DeepNestingTests: XCTestCase {
    /// Parsing, printing and validating (through `anyOf` and `$ref`) the deepest document the
    /// parser accepts must fit in a 4 MiB stack in a debug build: half of the 8 MiB a Linux
    /// thread gets by default. (A debug build needs about 5 KiB per level here.)
    func testMaximumNestingFitsInASmallStack() throws {
        let depth = JSONParser.maximumDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let schema = try SchemaDocument(compiling: try JSONValue(parsing: ##"{"type": "array", "items": {"anyOf": [{"$ref": "#"}, {"type": "null"}]}}"##))
        let finished = expectation(description: "deep work finished")
        nonisolated(unsafe) var results: (errors: Int, compact: String, prettyRoundTrips: Bool)?
        let thread = Thread {
            if let value = try? JSONValue(parsing: text) {
                let pretty = value.prettyString
                results = (schema.validate(value).count, value.compactString, (try? JSONValue(parsing: pretty)) == value)
            }
            finished.fulfill()
        }
        thread.stackSize = 1 << 22
        thread.start()
        wait(for: [finished], timeout: 120)
        XCTAssertEqual(results?.errors, 0)
        XCTAssertEqual(results?.compact, text)
        XCTAssertEqual(results?.prettyRoundTrips, true)
    }
}
