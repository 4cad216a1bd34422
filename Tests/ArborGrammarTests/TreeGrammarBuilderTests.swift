import ArborGrammar
import ArborSchema
import XCTest

final class TreeGrammarBuilderTests: XCTestCase {
    static let searchParameters = #"{"type":"object","properties":{"query":{"type":"string"},"limit":{"type":"integer","minimum":1,"maximum":5}},"required":["query"]}"#
    static let clockParameters = #"{"type":"object","properties":{},"additionalProperties":false}"#

    static func spec(maxDepth: Int = 2, maxBreadth: Int? = 2, maxToolCalls: Int? = 1, steps: [ReasoningTreeSpec.Step] = [],
                     summary: Bool = false) throws -> ReasoningTreeSpec {
        ReasoningTreeSpec(
            tools: [.init(name: "search", parameters: try GrammarTestSupport.document(searchParameters)),
                    .init(name: "clock", parameters: try GrammarTestSupport.document(clockParameters))],
            output: try GrammarTestSupport.document(#"{"type":"object","properties":{"result":{"type":"string"}},"required":["result"]}"#),
            maxDepth: maxDepth, maxBreadth: maxBreadth, maxToolCalls: maxToolCalls, steps: steps, isSummaryRound: summary)
    }

    static func compile(_ spec: ReasoningTreeSpec) throws -> CompiledGrammar {
        try CompiledGrammar(try TreeGrammarBuilder.grammar(for: spec).grammar, vocabulary: GrammarTestSupport.byteVocabulary)
    }

    static func task(_ thought: String = "t", tool: String? = nil, subtasks: [String]? = nil) -> String {
        var text = #"{"thought":"\#(thought)""#
        if let tool { text += #","tooluse":\#(tool)"# }
        if let subtasks { text += #","subtasks":[\#(subtasks.joined(separator: ","))]"# }
        return text + #","conclusion":"c"}"#
    }

    static let searchCall = #"{"tool_name":"search","parameters":{"query":"q","limit":3},"tool_result":{"hits":[1,2]}}"#
    static let clockCall = #"{"tool_name":"clock","parameters":{},"tool_result":"12:00"}"#

    /// Reads `text`, filling each hole with the JSON that follows `"tool_result":`.
    static func accepts(_ compiled: CompiledGrammar, _ text: String) -> Bool {
        var matcher = GrammarMatcher(compiled)
        var rest = Substring(text)
        let marker = #""tool_result":"#
        while let range = rest.range(of: marker) {
            guard matcher.acceptText(Array(rest[..<range.upperBound].utf8)), matcher.pendingHole == "tool_result" else { return false }
            rest = rest[range.upperBound...]
            // The hole's JSON runs to the `}` that closes the tooluse object: find it by parsing prefixes.
            var end = rest.startIndex
            var filled = false
            while end < rest.endIndex {
                end = rest.index(after: end)
                if (try? JSONValue(parsing: String(rest[..<end]))) != nil, rest[end...].hasPrefix("}") {
                    guard matcher.fillHole(with: Array(rest[..<end].utf8)) else { return false }
                    rest = rest[end...]
                    filled = true
                    break
                }
            }
            if !filled { return false }
        }
        return matcher.acceptText(Array(rest.utf8)) && matcher.isComplete
    }

    func testWellFormedTreeIsAccepted() throws {
        let compiled = try Self.compile(try Self.spec())
        let tree = #"{"reasoning":[\#(Self.task(tool: Self.searchCall, subtasks: [Self.task(), Self.task("u")])),\#(Self.task())],"answer":{"result":"done"}}"#
        XCTAssertTrue(Self.accepts(compiled, tree))
    }

    func testToolNameSelectsItsParameterSchema() throws {
        let compiled = try Self.compile(try Self.spec())
        let clockWithSearchParameters = #"{"tool_name":"clock","parameters":{"query":"q"},"tool_result":1}"#
        XCTAssertTrue(Self.accepts(compiled, #"{"reasoning":[\#(Self.task(tool: Self.clockCall))],"answer":{"result":""}}"#))
        XCTAssertFalse(Self.accepts(compiled, #"{"reasoning":[\#(Self.task(tool: clockWithSearchParameters))],"answer":{"result":""}}"#))
        let unknown = #"{"tool_name":"shell","parameters":{},"tool_result":1}"#
        XCTAssertFalse(Self.accepts(compiled, #"{"reasoning":[\#(Self.task(tool: unknown))],"answer":{"result":""}}"#))
    }

    func testOverDepthTreeIsRejected() throws {
        let compiled = try Self.compile(try Self.spec(maxDepth: 2))
        let depthTwo = Self.task(subtasks: [Self.task()])
        let depthThree = Self.task(subtasks: [Self.task(subtasks: [Self.task()])])
        XCTAssertTrue(Self.accepts(compiled, #"{"reasoning":[\#(depthTwo)],"answer":{"result":""}}"#))
        XCTAssertFalse(Self.accepts(compiled, #"{"reasoning":[\#(depthThree)],"answer":{"result":""}}"#))
    }

    func testOverBreadthTreeIsRejected() throws {
        let compiled = try Self.compile(try Self.spec(maxBreadth: 2))
        XCTAssertTrue(Self.accepts(compiled, #"{"reasoning":[\#(Self.task()),\#(Self.task(subtasks: [Self.task(), Self.task()]))],"answer":{"result":""}}"#))
        XCTAssertFalse(Self.accepts(compiled, #"{"reasoning":[\#(Self.task()),\#(Self.task()),\#(Self.task())],"answer":{"result":""}}"#))
        XCTAssertFalse(Self.accepts(compiled, #"{"reasoning":[\#(Self.task(subtasks: [Self.task(), Self.task(), Self.task()]))],"answer":{"result":""}}"#))
    }

    func testOverToolCallTreeIsRejected() throws {
        let compiled = try Self.compile(try Self.spec(maxDepth: 3, maxBreadth: 3, maxToolCalls: 2))
        let two = #"{"reasoning":[\#(Self.task(tool: Self.clockCall, subtasks: [Self.task(tool: Self.searchCall)]))],"answer":{"result":""}}"#
        let three = #"{"reasoning":[\#(Self.task(tool: Self.clockCall, subtasks: [Self.task(tool: Self.searchCall), Self.task(subtasks: [Self.task(tool: Self.clockCall)])]))],"answer":{"result":""}}"#
        XCTAssertTrue(Self.accepts(compiled, two))
        XCTAssertFalse(Self.accepts(compiled, three))
    }

    func testSpentBudgetRemovesTooluseFromTheMask() throws {
        let compiled = try Self.compile(try Self.spec(maxToolCalls: 1))
        var matcher = GrammarMatcher(compiled)
        XCTAssertTrue(matcher.acceptText(Array(#"{"reasoning":[{"thought":"a","#.utf8)))
        XCTAssertTrue(matcher.canAccept(Array(#""tooluse""#.utf8)))
        XCTAssertTrue(matcher.acceptText(Array(#""tooluse":{"tool_name":"clock","parameters":{},"tool_result":"#.utf8)))
        XCTAssertEqual(matcher.pendingHole, "tool_result")
        XCTAssertEqual(matcher.nextTokenMask().reduce(0) { $0 | $1 }, 0, "nothing may be sampled at a hole")
        XCTAssertTrue(matcher.fillHole(with: Array("[1]".utf8)))
        XCTAssertNil(matcher.pendingHole)
        XCTAssertTrue(matcher.acceptText(Array(#"},"subtasks":[{"thought":"b","#.utf8)))
        XCTAssertFalse(matcher.canAccept(Array(#""t"#.utf8)), "the only tool call is spent")
        XCTAssertTrue(matcher.canAccept(Array(#""c"#.utf8)))
    }

    /// With whole-key tokens, the budget shows in the mask: `"tooluse"` is allowed until
    /// the last call is spent, and the cached mask still equals trying each token.
    func testTreeMaskEqualsBruteForceAndTracksTheBudget() throws {
        let words = [#""tooluse""#, #""conclusion""#, #""subtasks""#, #"{"thought":""#, #"","conclusion":""#, #"},{"#]
        let vocabulary = TokenVocabulary(tokens: GrammarMatcherTests.vocabulary.tokens + words.map { Array($0.utf8) },
                                         endTokenIDs: GrammarMatcherTests.vocabulary.endTokenIDs,
                                         specialTokenIDs: GrammarMatcherTests.vocabulary.specialTokenIDs)
        let tooluseID = GrammarMatcherTests.vocabulary.count
        let built = try TreeGrammarBuilder.grammar(for: try Self.spec(maxDepth: 2, maxBreadth: 2, maxToolCalls: 1))
        let compiled = try CompiledGrammar(built.grammar, vocabulary: vocabulary)
        var sawTooluseAllowed = false
        var sawTooluseBlocked = false
        for seed in 0..<8 {
            var sampler = GrammarSampler(built.grammar, seed: UInt64(seed))
            let text = sampler.sample()
            var matcher = GrammarMatcher(compiled)
            var index = 0
            var calls = 0
            while index < text.count {
                if matcher.pendingHole != nil {
                    XCTAssertTrue(matcher.fillHole(with: sampler.holeText))
                    index += sampler.holeText.count
                    calls += 1
                    continue
                }
                let mask = matcher.nextTokenMask()
                for id in 0..<vocabulary.count {
                    var probe = matcher
                    XCTAssertEqual(GrammarMatcherTests.isSet(mask, id), probe.acceptToken(id), "seed \(seed) at byte \(index): token \(id)")
                }
                if text[index] == UInt8(ascii: ","), matcher.canAccept(Array(#","conclusion""#.utf8)) {
                    var probe = matcher
                    _ = probe.acceptText([UInt8(ascii: ",")])
                    let allowed = GrammarMatcherTests.isSet(probe.nextTokenMask(), tooluseID)
                    if calls == 0 { sawTooluseAllowed = sawTooluseAllowed || allowed } else { XCTAssertFalse(allowed); sawTooluseBlocked = true }
                }
                XCTAssertTrue(matcher.acceptText([text[index]]))
                index += 1
            }
            XCTAssertTrue(matcher.isComplete)
        }
        XCTAssertTrue(sawTooluseAllowed)
        XCTAssertTrue(sawTooluseBlocked)
    }

    func testHoleRejectsTextThatIsNotJSON() throws {
        let compiled = try Self.compile(try Self.spec())
        var matcher = GrammarMatcher(compiled)
        XCTAssertTrue(matcher.acceptText(Array(#"{"reasoning":[{"thought":"a","tooluse":{"tool_name":"clock","parameters":{},"tool_result":"#.utf8)))
        XCTAssertFalse(matcher.fillHole(with: Array("{oops".utf8)))
        XCTAssertEqual(matcher.pendingHole, "tool_result")
        XCTAssertTrue(matcher.acceptText(Array(#"{"time":"now"}"#.utf8)), "acceptText fills a pending hole")
        XCTAssertTrue(matcher.acceptText(Array("}".utf8)))
    }

    func testStepsFixTheTopLevelAndRestrictTools() throws {
        let steps = [ReasoningTreeSpec.Step(allowedTools: ["clock"]), ReasoningTreeSpec.Step(allowedTools: [])]
        let compiled = try Self.compile(try Self.spec(maxDepth: 2, maxToolCalls: 3, steps: steps))
        let good = #"{"reasoning":[\#(Self.task(tool: Self.clockCall)),\#(Self.task())],"answer":{"result":""}}"#
        let searchInFirst = #"{"reasoning":[\#(Self.task(tool: Self.searchCall)),\#(Self.task())],"answer":{"result":""}}"#
        let toolInSecond = #"{"reasoning":[\#(Self.task()),\#(Self.task(subtasks: [Self.task(tool: Self.clockCall)]))],"answer":{"result":""}}"#
        let oneStep = #"{"reasoning":[\#(Self.task())],"answer":{"result":""}}"#
        XCTAssertTrue(Self.accepts(compiled, good))
        XCTAssertFalse(Self.accepts(compiled, searchInFirst))
        XCTAssertFalse(Self.accepts(compiled, toolInSecond))
        XCTAssertFalse(Self.accepts(compiled, oneStep))
    }

    func testSummaryRoundEndsWithSummary() throws {
        let compiled = try Self.compile(try Self.spec(summary: true))
        XCTAssertTrue(Self.accepts(compiled, #"{"reasoning":[\#(Self.task())],"summary":"* step one"}"#))
        XCTAssertFalse(Self.accepts(compiled, #"{"reasoning":[\#(Self.task())],"answer":{"result":""}}"#))
    }

    func testJumpForwardAtTheStartOfATask() throws {
        let compiled = try Self.compile(try Self.spec())
        var matcher = GrammarMatcher(compiled)
        XCTAssertEqual(String(decoding: matcher.forcedBytes(), as: UTF8.self), #"{"reasoning":[{"thought":""#)
        XCTAssertTrue(matcher.acceptText(Array(#"{"reasoning":[{"thought":"x""#.utf8)))
        XCTAssertEqual(String(decoding: matcher.forcedBytes(), as: UTF8.self), #",""#)
        XCTAssertTrue(matcher.acceptText(Array(#","conclusion":"y"}"#.utf8)))
        XCTAssertEqual(matcher.forcedBytes(), [], "another task or the end of the list")
        XCTAssertTrue(matcher.acceptText(Array("]".utf8)))
        XCTAssertEqual(String(decoding: matcher.forcedBytes(), as: UTF8.self), #","answer":{"result":""#)
    }

    /// Random trees from the grammar parse, respect every limit, and name only known tools.
    func testRandomTreesRespectTheLimits() throws {
        let spec = try Self.spec(maxDepth: 3, maxBreadth: 3, maxToolCalls: nil)
        let built = try TreeGrammarBuilder.grammar(for: spec)
        for seed in 0..<40 {
            var sampler = GrammarSampler(built.grammar, seed: UInt64(seed))
            sampler.depthLimit = 12
            let value = try JSONValue(parsing: sampler.sample())
            guard let reasoning = value["reasoning"]?.arrayValue else { return XCTFail("no reasoning list in \(value)") }
            XCTAssertNotNil(value["answer"]?["result"]?.stringValue)
            func check(_ tasks: [JSONValue], depth: Int) {
                XCTAssertLessThanOrEqual(tasks.count, 3)
                XCTAssertFalse(tasks.isEmpty)
                XCTAssertLessThanOrEqual(depth, 3)
                for task in tasks {
                    XCTAssertNotNil(task["thought"]?.stringValue)
                    XCTAssertNotNil(task["conclusion"]?.stringValue)
                    if let tooluse = task["tooluse"] {
                        XCTAssert(["search", "clock"].contains(tooluse["tool_name"]?.stringValue ?? ""))
                    }
                    if let subtasks = task["subtasks"]?.arrayValue { check(subtasks, depth: depth + 1) }
                }
            }
            check(reasoning, depth: 1)
        }
    }

    func testInvalidWorkflowsAreReportedTogether() throws {
        var spec = try Self.spec(maxBreadth: 1, steps: [.init(allowedTools: ["missing"]), .init(allowedTools: [])])
        spec.maxDepth = 0
        spec.tools.append(spec.tools[0])
        XCTAssertThrowsError(try TreeGrammarBuilder.grammar(for: spec)) { error in
            let descriptions = (error as? GrammarCompileError)?.errors.map(\.description) ?? []
            XCTAssertEqual(descriptions.count, 4, "\(descriptions)")
            XCTAssert(descriptions.contains { $0.contains("\"search\" is used twice") })
            XCTAssert(descriptions.contains { $0.contains("maxDepth must be at least 1") })
            XCTAssert(descriptions.contains { $0.contains("2 steps but maxBreadth is 1") })
            XCTAssert(descriptions.contains { $0.contains("\"missing\", which is not declared") })
        }
    }

    func testToolSchemaErrorsNameTheTool() throws {
        var spec = try Self.spec()
        spec.tools[1].parameters = try GrammarTestSupport.document(#"{"type":"string","pattern":"a","format":"date"}"#)
        XCTAssertThrowsError(try TreeGrammarBuilder.grammar(for: spec)) { error in
            let text = (error as? GrammarCompileError)?.description ?? ""
            XCTAssert(text.contains("the parameters of the tool \"clock\""), text)
            XCTAssert(text.contains("`pattern` and `format` together"), text)
        }
    }
}
