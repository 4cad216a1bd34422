import ArborGrammar
import ArborSchema
import XCTest

/// The open-ended tree of a long job's early rounds: its reasoning list cannot close until it
/// is full, it never answers, and every prefix of it is a prefix of the summary grammar (so
/// the runtime can move a round onto that grammar at its budget).
final class OpenEndedTreeGrammarTests: XCTestCase {
    static func openSpec(maxBreadth: Int? = 3, steps: [ReasoningTreeSpec.Step] = []) throws -> ReasoningTreeSpec {
        var spec = try TreeGrammarBuilderTests.spec(maxBreadth: maxBreadth, steps: steps, summary: true)
        spec.isOpenEnded = true
        return spec
    }

    func testTheListClosesOnlyWhenFullAndOnlyWithASummary() throws {
        let compiled = try TreeGrammarBuilderTests.compile(try Self.openSpec(maxBreadth: 3))
        let task = TreeGrammarBuilderTests.task()
        XCTAssertTrue(TreeGrammarBuilderTests.accepts(compiled, #"{"reasoning":[\#(task),\#(task),\#(task)],"summary":"* s"}"#))
        XCTAssertFalse(TreeGrammarBuilderTests.accepts(compiled, #"{"reasoning":[\#(task),\#(task)],"summary":"* s"}"#))
        XCTAssertFalse(TreeGrammarBuilderTests.accepts(compiled, #"{"reasoning":[\#(task)],"summary":"* s"}"#))
        XCTAssertFalse(TreeGrammarBuilderTests.accepts(compiled, #"{"reasoning":[\#(task),\#(task),\#(task)],"answer":{"result":""}}"#))
    }

    func testAfterATaskOfAListNotFullOnlyAnotherTaskMayFollow() throws {
        let compiled = try TreeGrammarBuilderTests.compile(try Self.openSpec(maxBreadth: 3))
        var matcher = GrammarMatcher(compiled)
        XCTAssertTrue(matcher.acceptText(Array(#"{"reasoning":[\#(TreeGrammarBuilderTests.task())"#.utf8)))
        XCTAssertFalse(matcher.isComplete)
        XCTAssertEqual(String(decoding: matcher.forcedBytes(), as: UTF8.self), #",{"thought":""#)
        var closing = matcher
        XCTAssertFalse(closing.acceptText(Array("]".utf8)))
    }

    func testAnOpenEndedPrefixGoesOnUnderTheSummaryGrammar() throws {
        let summary = try TreeGrammarBuilderTests.compile(try TreeGrammarBuilderTests.spec(maxBreadth: 3, summary: true))
        let open = try TreeGrammarBuilderTests.compile(try Self.openSpec(maxBreadth: 3))
        let prefix = #"{"reasoning":[\#(TreeGrammarBuilderTests.task(tool: TreeGrammarBuilderTests.clockCall)),\#(TreeGrammarBuilderTests.task(subtasks: [TreeGrammarBuilderTests.task()]))"#
        XCTAssertFalse(TreeGrammarBuilderTests.accepts(open, prefix + #"],"summary":"* s"}"#))
        XCTAssertTrue(TreeGrammarBuilderTests.accepts(summary, prefix + #"],"summary":"* s"}"#))
    }

    func testAnOpenEndedTreeNeedsABreadthLimitAndNoSteps() throws {
        XCTAssertThrowsError(try TreeGrammarBuilder.grammar(for: try Self.openSpec(maxBreadth: nil, steps: [.init(allowedTools: [])]))) { error in
            let descriptions = (error as? GrammarCompileError)?.errors.map(\.description) ?? []
            XCTAssertEqual(descriptions.count, 2, "\(descriptions)")
            XCTAssert(descriptions.contains { $0.contains("needs maxBreadth") })
            XCTAssert(descriptions.contains { $0.contains("cannot have steps") })
        }
    }
}
