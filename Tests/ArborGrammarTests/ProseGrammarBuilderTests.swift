import ArborGrammar
import ArborSchema
import XCTest

/// The `prose` syntax's grammar: free lines where every `=` is a hole, no digit straight
/// after a filled hole, and a last `Answer:` line holding the output member's value.
final class ProseGrammarBuilderTests: XCTestCase {
    /// Reads `text`, where `[…]` marks what the runtime writes into the hole after an `=`.
    static func accepts(_ spec: ReasoningTreeSpec, _ text: String) throws -> Bool {
        var matcher = GrammarMatcher(try CompiledGrammar(try ProseGrammarBuilder.grammar(for: spec).grammar,
                                                         vocabulary: GrammarTestSupport.byteVocabulary))
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]") {
            guard matcher.acceptText(Array(rest[..<open].utf8)) || rest[..<open].isEmpty, matcher.pendingHole == "tool_result",
                  matcher.fillHole(with: Array("null".utf8)) else { return false }
            rest = rest[rest.index(after: close)...]
        }
        return (rest.isEmpty || matcher.acceptText(Array(rest.utf8))) && matcher.isComplete
    }

    func testPlainChatSolutionsAreAccepted() throws {
        let spec = try StepsGrammarBuilderTests.spec()
        XCTAssertTrue(try Self.accepts(spec, "The pens cost 8 * 7 =[ 56] dollars.\n\nIn all 56 + 10 =[ 66].\nAnswer: 66"))
        XCTAssertTrue(try Self.accepts(spec, "x =[] 5, so\n**Answer:** $66 dollars\n"))
        XCTAssertTrue(try Self.accepts(spec, "Answer: 41"), "the answer alone")
        XCTAssertTrue(try Self.accepts(spec, "- Answer is below\nAnswer:-2.5"))
        XCTAssertTrue(try Self.accepts(spec, "So she keeps 64 dollars.\nAnswer: 64."), "the sentence's period after the answer")
        XCTAssertTrue(try Self.accepts(spec, "Answer: 64. That is all."))
    }

    func testFormatMistakesAreRejected() throws {
        let spec = try StepsGrammarBuilderTests.spec()
        XCTAssertFalse(try Self.accepts(spec, "8 * 7 =[ 56]1 dollars\nAnswer: 1"), "no digit right after a result")
        XCTAssertFalse(try Self.accepts(spec, "Answer: 5\nAnswer: 6"), "the answer line is the last line")
        XCTAssertFalse(try Self.accepts(spec, "**Answer: 5\nmore\nAnswer: 6"), "a marked line is the answer line")
        XCTAssertFalse(try Self.accepts(spec, "Total\nAnswer: sixty"), "the answer is the member's number")
        XCTAssertFalse(try Self.accepts(spec, "Total is 66"), "the answer line is required")
        XCTAssertFalse(try Self.accepts(spec, "Answer: 64.."), "one period")
        XCTAssertFalse(try Self.accepts(spec, "Answer: 66 " + String(repeating: "x", count: 31)), "the text after the answer is bounded")
    }

    func testWithoutCallsTheEqualsSignIsText() throws {
        let spec = try StepsGrammarBuilderTests.spec(maxToolCalls: 0)
        XCTAssertTrue(try Self.accepts(spec, "8 * 7 = 56\nAnswer: 56"))
        XCTAssertFalse(try Self.accepts(spec, "8 * 7 =[ 56]\nAnswer: 56"))
    }
}
