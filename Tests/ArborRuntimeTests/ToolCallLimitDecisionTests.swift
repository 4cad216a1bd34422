import ArborGrammar
import ArborModel
@testable import ArborRuntime
import ArborSchema
import ArborSpec
import XCTest

/// When the token limit ends a begun tool call: only where a closing can follow it, and never
/// so that the round cannot end with its summary any more.
final class ToolCallLimitDecisionTests: XCTestCase {
    private static let callPrefix = #"{"reasoning":[{"thought":"Add the legs.","tooluse":{"tool_name":"calculator","parameters":{"expression":""#

    /// `token-limit.yaml`'s tree grammar, as the open-ended grammar of a long job's round below
    /// its minimum (256 tasks before the list may close) or as the ordinary one, over a
    /// vocabulary of single printable bytes (the decisions read the grammar, not the tokens).
    private func grammar(openEnded: Bool) throws -> CompiledGrammar {
        var tokens: [[UInt8]] = (0x20...0x7E).map { [UInt8($0)] }
        tokens.append([])
        let vocabulary = TokenVocabulary(tokens: tokens, endTokenIDs: [tokens.count - 1], specialTokenIDs: [])
        var spec = try ReasoningTreeSpec(workflow: TokenLimitClosingTests.workflow())
        if openEnded {
            spec.maxBreadth = 256
            spec.isSummaryRound = true
            spec.isOpenEnded = true
        }
        let tree = try TreeGrammarBuilder.grammar(for: spec)
        return try CompiledGrammar(tree.grammar, vocabulary: vocabulary)
    }

    /// The limit's decision before the next token, with the matcher standing where it is.
    private func decide(_ limit: inout TokenLimit, written: Int, matcher: GrammarMatcher) throws {
        var matcher = matcher
        let through = try XCTUnwrap(matcher.shortestCompletionLengthThroughHoles)
        limit.decide(written: written, isInFinalValue: false, neededTokens: { nil },
                     call: (bytesThroughCall: through, tokensToResult: { matcher.shortestCompletionToHole()?.count }))
    }

    func testACallInARoundThatMustGoOnIsNotEndedForAClosingThatCannotFollow() throws {
        // The long-job benchmark's rounds: 2816 tokens each, every token inside the window
        // because the open list's shortest form is longer than the limit.
        let grammar = try grammar(openEnded: true)
        var matcher = GrammarMatcher(grammar)
        XCTAssertTrue(matcher.acceptText(Array(Self.callPrefix.utf8)))
        let through = try XCTUnwrap(matcher.shortestCompletionLengthThroughHoles)
        XCTAssertGreaterThan(through, TokenLimitClosing.longestClosing, "255 more tasks before the list may close")
        var limit = TokenLimit(TokenLimitClosing(maxTokens: 2816, grammar: grammar, hasTools: true))
        XCTAssertTrue(limit.rule.isInWindow(written: 30))
        try decide(&limit, written: 30, matcher: matcher)
        XCTAssertFalse(limit.finishingToolCall, "the model writes its own call: no closing could follow one ended now")
        XCTAssertFalse(limit.closed)
        XCTAssertFalse(limit.forcesNext(isInFinalValue: false, isInsideToolCall: true))
    }

    func testACallEndedByTheLimitLeavesTheRoundFreeToSwitchToItsSummary() throws {
        let grammar = try grammar(openEnded: false)
        var matcher = GrammarMatcher(grammar)
        XCTAssertTrue(matcher.acceptText(Array((Self.callPrefix + "(8 * 3) + (8").utf8)))
        let closing = TokenLimitClosing(maxTokens: 300, grammar: grammar, hasTools: true)
        var limit = TokenLimit(closing)
        let through = try XCTUnwrap(matcher.shortestCompletionLengthThroughHoles)
        let toResult = try XCTUnwrap(matcher.shortestCompletionToHole()).count
        let start = 300 - toResult - through - TokenLimitClosing.finalMargin
        try decide(&limit, written: start - 1, matcher: matcher)
        XCTAssertFalse(limit.finishingToolCall, "room enough to write the call")
        try decide(&limit, written: start, matcher: matcher)
        XCTAssertTrue(limit.finishingToolCall, "the call would outrun the room: its parameters end the shortest way")
        XCTAssertTrue(limit.closed, "the round says the limit cut it")
        XCTAssertTrue(limit.forcesNext(isInFinalValue: false, isInsideToolCall: true))
        // Ending the call is not closing the tree: after the result the round may still end
        // with its summary at a top-level boundary (a round that must go on has no other way).
        XCTAssertFalse(limit.isClosingTree)
        let ending = RoundEnding(summaryGrammar: grammar, budget: 10, maxTextLength: 100, largestTopLevelTask: 0)
        XCTAssertTrue(ending.shouldEnd(kept: 50, atTopLevelBoundary: true, closedAtTokenLimit: limit.isClosingTree))
    }
}
