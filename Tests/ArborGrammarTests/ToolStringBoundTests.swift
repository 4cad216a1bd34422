import ArborGrammar
import ArborSchema
import XCTest

/// Tool string parameters without a `maxLength` get the tree's default bound, plain or with a
/// `pattern`; a begun tool call can be ended the shortest way up to its result's hole.
final class ToolStringBoundTests: XCTestCase {
    private static func matcher(parameters: JSONValue, bound: Int?) throws -> GrammarMatcher {
        let spec = ReasoningTreeSpec(tools: [.init(name: "calc", parameters: try SchemaDocument(compiling: parameters))],
                                     output: try SchemaDocument(compiling: ["type": "string"]), maxDepth: 1, maxToolCalls: 2,
                                     maxToolStringLength: bound)
        let built = try TreeGrammarBuilder.grammar(for: spec)
        var matcher = GrammarMatcher(try CompiledGrammar(built.grammar, vocabulary: GrammarMatcherTests.vocabulary))
        XCTAssertTrue(matcher.acceptText(Array(#"{"reasoning":[{"thought":"x","tooluse":{"tool_name":"calc","parameters":{"expression":""#.utf8)))
        return matcher
    }

    private static func schema(_ expression: JSONValue) -> JSONValue {
        ["type": "object", "properties": ["expression": expression], "required": ["expression"]]
    }

    func testAPlainStringStopsAtTheDefaultBound() throws {
        var matcher = try Self.matcher(parameters: Self.schema(["type": "string"]), bound: 40)
        XCTAssertTrue(matcher.canAccept(Array((String(repeating: "1", count: 40) + "\"").utf8)))
        XCTAssertFalse(matcher.canAccept(Array(String(repeating: "1", count: 41).utf8)))
        var unbounded = try Self.matcher(parameters: Self.schema(["type": "string"]), bound: nil)
        XCTAssertTrue(unbounded.canAccept(Array(String(repeating: "1", count: 3000).utf8)))
    }

    func testAPatternStringStopsAtTheDefaultBoundAndKeepsItsPattern() throws {
        let pattern: JSONValue = ["type": "string", "pattern": "^[-+*/%^()., 0-9a-z]+$"]
        var matcher = try Self.matcher(parameters: Self.schema(pattern), bound: 40)
        XCTAssertTrue(matcher.canAccept(Array((String(repeating: "1", count: 40) + "\"").utf8)))
        XCTAssertFalse(matcher.canAccept(Array(String(repeating: "1", count: 41).utf8)), "the 41st character is refused")
        XCTAssertFalse(matcher.canAccept(Array("1=".utf8)), "the pattern still holds")
        XCTAssertFalse(matcher.canAccept(Array("\"".utf8)), "the pattern needs one character")
    }

    func testAnExplicitMaxLengthWinsOverTheDefault() throws {
        var matcher = try Self.matcher(parameters: Self.schema(["type": "string", "maxLength": 100]), bound: 40)
        XCTAssertTrue(matcher.canAccept(Array((String(repeating: "1", count: 100) + "\"").utf8)))
    }

    func testTheShortestWayToTheToolResultClosesTheParameters() throws {
        var matcher = try Self.matcher(parameters: Self.schema(["type": "string", "pattern": "^[0-9+ ]+$"]), bound: 40)
        XCTAssertNil(matcher.shortestCompletion(), "every way to the end needs the tool's result")
        let fromEmpty = try XCTUnwrap(matcher.shortestCompletionToHole().map { String(decoding: $0, as: UTF8.self) })
        XCTAssertTrue(fromEmpty.hasSuffix(#""},"tool_result":"#) && fromEmpty.count == 18, "one character, then the call's end: \(fromEmpty)")
        XCTAssertTrue(matcher.acceptText(Array("1 + 2".utf8)))
        let toHole = try XCTUnwrap(matcher.shortestCompletionToHole())
        XCTAssertEqual(String(decoding: toHole, as: UTF8.self), #""},"tool_result":"#)
        XCTAssertEqual(matcher.shortestLengthToHole, toHole.count)
        // Through the hole: the rest of the call, the task's conclusion, the list and the answer.
        XCTAssertEqual(matcher.shortestCompletionLengthThroughHoles,
                       toHole.count + #"},"conclusion":""}],"answer":""}"#.utf8.count)
        XCTAssertTrue(matcher.acceptText(toHole))
        XCTAssertEqual(matcher.pendingHole, "tool_result")
        XCTAssertEqual(matcher.shortestLengthToHole, 0)
    }

    func testOutsideAToolCallThereIsNoWayToAHole() throws {
        let spec = ReasoningTreeSpec(tools: [.init(name: "calc", parameters: try SchemaDocument(compiling: Self.schema(["type": "string"])))],
                                     output: try SchemaDocument(compiling: ["type": "string"]), maxDepth: 1, maxToolCalls: 2)
        let built = try TreeGrammarBuilder.grammar(for: spec)
        var matcher = GrammarMatcher(try CompiledGrammar(built.grammar, vocabulary: GrammarMatcherTests.vocabulary))
        XCTAssertTrue(matcher.acceptText(Array(#"{"reasoning":[{"thought":"x"#.utf8)))
        XCTAssertNil(matcher.shortestLengthToHole, "a new call would spend budget")
        XCTAssertNil(matcher.shortestCompletionToHole())
    }
}
