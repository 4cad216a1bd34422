import ArborGrammar
import ArborSchema
import XCTest

final class StepsGrammarBuilderTests: XCTestCase {
    static let calculatorParameters = #"{"type":"object","properties":{"expression":{"type":"string"}},"required":["expression"]}"#
    static let convertParameters = #"{"type":"object","properties":{"value":{"type":"number"},"from_unit":{"type":"string"},"to_unit":{"type":"string"}},"required":["value","from_unit","to_unit"]}"#

    static func spec(output: String = #"{"type":"object","properties":{"answer":{"type":"number"}},"required":["answer"]}"#,
                     maxBreadth: Int? = 3, maxToolCalls: Int? = 2) throws -> ReasoningTreeSpec {
        let convert = try GrammarTestSupport.document(convertParameters)
        var spec = ReasoningTreeSpec(
            tools: [.init(name: "calculator", parameters: try GrammarTestSupport.document(calculatorParameters)),
                    .init(name: "unit_convert", parameters: convert,
                          positionalParameters: [("value", try GrammarTestSupport.document(#"{"type":"number"}"#)),
                                                 ("from_unit", try GrammarTestSupport.document(#"{"type":"string"}"#)),
                                                 ("to_unit", try GrammarTestSupport.document(#"{"type":"string"}"#))])],
            output: try GrammarTestSupport.document(output), maxBreadth: maxBreadth, maxToolCalls: maxToolCalls, maxTextLength: 80)
        var digits = ScalarRangeSet.empty
        for scalar in "0123456789+-*/(). ".unicodeScalars { digits = digits.union(ScalarRangeSet(scalar: scalar)) }
        spec.inlineExpression = InlineExpression(tool: "calculator", parameter: "expression", characters: digits, maxLength: 20)
        return spec
    }

    /// Reads `text`, filling each hole (after a call's `=`) with the text up to its `>>`.
    static func accepts(_ spec: ReasoningTreeSpec, _ text: String) throws -> Bool {
        var matcher = GrammarMatcher(try CompiledGrammar(try StepsGrammarBuilder.grammar(for: spec).grammar,
                                                         vocabulary: GrammarTestSupport.byteVocabulary))
        var rest = Substring(text)
        while let open = rest.range(of: "<<"), let equals = rest[open.upperBound...].firstIndex(of: "="),
              let close = rest[equals...].range(of: ">>") {
            let head = rest[..<rest.index(after: equals)]
            guard matcher.acceptText(Array(head.utf8)), matcher.pendingHole == "tool_result",
                  matcher.fillHole(with: Array(rest[rest.index(after: equals)..<close.lowerBound].utf8)) else { return false }
            rest = rest[close.lowerBound...]
        }
        return matcher.acceptText(Array(rest.utf8)) && matcher.isComplete
    }

    func testWorkedSolutionWithInlineCallsIsAccepted() throws {
        let spec = try Self.spec()
        XCTAssertTrue(try Self.accepts(spec, "Step 1: The boxes hold <<3*12=36>> eggs.\nStep 2: That makes <<36+5=41>> eggs.\nAnswer: 41"))
        XCTAssertTrue(try Self.accepts(spec, "Step 1: 6 m is <<unit_convert(6, \"m\", \"inch\")=236.22>> in.\nAnswer: 236.22\n"))
        XCTAssertTrue(try Self.accepts(spec, "Step 1: no tool needed, 2 and 2 make 4.\nAnswer:4"))
    }

    func testFormatMistakesAreRejected() throws {
        let spec = try Self.spec()
        XCTAssertFalse(try Self.accepts(spec, "Answer: 41"), "at least one step")
        XCTAssertFalse(try Self.accepts(spec, "Step 1: a < b\nAnswer: 1"), "a lone < starts no call")
        XCTAssertFalse(try Self.accepts(spec, "Step 1: x\nAnswer: forty"), "the answer is the output member's number")
        XCTAssertFalse(try Self.accepts(spec, "Step 2: x\nAnswer: 1"), "steps are numbered from 1")
        XCTAssertFalse(try Self.accepts(spec, "Step 1: a\nStep 2: b\nStep 3: c\nStep 4: d\nAnswer: 1"), "at most maxBreadth steps")
        XCTAssertFalse(try Self.accepts(spec, "Step 1: <<unit_convert(6, \"m\")=1>>\nAnswer: 1"), "every positional argument")
        XCTAssertFalse(try Self.accepts(spec, "Step 1: <<" + String(repeating: "1", count: 21) + "=1>>\nAnswer: 1"), "expressions are bounded")
    }

    func testToolCallBudgetIsEnforced() throws {
        let spec = try Self.spec(maxToolCalls: 1)
        XCTAssertTrue(try Self.accepts(spec, "Step 1: <<1+1=2>>\nAnswer: 2"))
        XCTAssertFalse(try Self.accepts(spec, "Step 1: <<1+1=2>> and <<2+2=4>>\nAnswer: 4"))
    }

    func testAnOutputWithSeveralMembersIsWrittenAsJSON() throws {
        let output = #"{"type":"object","properties":{"answer":{"type":"number"},"unit":{"type":"string"}},"required":["answer","unit"]}"#
        let spec = try Self.spec(output: output)
        XCTAssertNil(StepsGrammarBuilder.unwrappedAnswerMember(of: spec.output))
        XCTAssertTrue(try Self.accepts(spec, "Step 1: x\nAnswer: {\"answer\":3,\"unit\":\"km\"}"))
        XCTAssertFalse(try Self.accepts(spec, "Step 1: x\nAnswer: 3"))
        XCTAssertEqual(StepsGrammarBuilder.unwrappedAnswerMember(of: try Self.spec().output), "answer")
    }
}
