import ArborGrammar
import ArborSchema
import XCTest

final class GrammarMatcherTests: XCTestCase {
    /// A small vocabulary with multi-byte tokens that span terminals, tokens that are
    /// partial UTF-8 sequences, special tokens and an end token.
    static let vocabulary: TokenVocabulary = {
        var tokens: [[UInt8]] = (0x20...0x7E).map { [UInt8($0)] }
        let words = ["{\"", "\":\"", "\",\"", "\"}", "\":", "thought", "{\"thought\":\"", "conclusion", "\"},{\"",
                     "true", "null", "12", "3.", "-0", "\"]", "]}", "\\n", "\\\"", "\\u00", "\":[", "answer", "a\"", "\",",
                     "é", "😀", " the", "},", "[{", "\":{\"", "reasoning", "tool_name", "search", "\"search\"", "[]", "{}"]
        tokens += words.map { Array($0.utf8) }
        tokens += [[0xC3], [0xA9], [0xF0, 0x9F], [0x98, 0x80], [0xE2, 0x82], [0xAC]]  // é, 😀 and € in pieces
        tokens.append([])  // end token
        tokens.append(Array("<|special|>".utf8))
        return TokenVocabulary(tokens: tokens, endTokenIDs: [tokens.count - 2], specialTokenIDs: [tokens.count - 1])
    }()

    static var endID: Int { vocabulary.endTokenIDs[0] }

    static func compile(_ schema: String) throws -> CompiledGrammar {
        try CompiledGrammar(try GrammarTestSupport.schemaGrammar(schema).grammar, vocabulary: vocabulary)
    }

    static func isSet(_ mask: [UInt32], _ id: Int) -> Bool { mask[id >> 5] & (1 << UInt32(id & 31)) != 0 }

    /// The mask the cache produces equals trying every token one by one, at every step of
    /// random sentences, for grammars with strings, numbers, recursion, patterns and UTF-8.
    func testCachedMaskEqualsBruteForceAlongRandomSentences() throws {
        let schemas = [
            #"{"type":"object","properties":{"thought":{"type":"string"},"n":{"type":"number"},"ok":{"type":"boolean"}},"required":["thought"]}"#,
            #"{"type":"array","items":{"anyOf":[{"type":"string","maxLength":3},{"type":"integer"},{"type":"null"}]},"maxItems":4}"#,
            #"{"type":"string","pattern":"^[éa-c€😀]{2,6}\"$"}"#,
            ##"{"$defs":{"t":{"type":"object","properties":{"a":{"type":"array","items":{"$ref":"#/$defs/t"},"maxItems":2}}}},"$ref":"#/$defs/t"}"##,
            "true",
        ]
        var steps = 0
        for (index, schema) in schemas.enumerated() {
            let built = try GrammarTestSupport.schemaGrammar(schema)
            let compiled = try CompiledGrammar(built.grammar, vocabulary: Self.vocabulary)
            for seed in 0..<6 {
                var sampler = GrammarSampler(built.grammar, seed: UInt64(100 * index + seed))
                let text = sampler.sample()
                var matcher = GrammarMatcher(compiled)
                for byte in text {
                    let mask = matcher.nextTokenMask()
                    for id in 0..<Self.vocabulary.count {
                        var probe = matcher
                        XCTAssertEqual(Self.isSet(mask, id), probe.acceptToken(id),
                                       "schema \(index), after \(matcher.stepCount) bytes of \(String(decoding: text, as: UTF8.self)): token \(id) \(Self.vocabulary.tokens[id])")
                    }
                    XCTAssertTrue(matcher.acceptText([byte]))
                    steps += 1
                }
                XCTAssertTrue(matcher.isComplete)
                XCTAssertTrue(Self.isSet(matcher.nextTokenMask(), Self.endID))
            }
        }
        XCTAssertGreaterThan(steps, 300)
    }

    /// Bounded texts share cache positions between the copies of their repetition (the
    /// copies a token cannot tell apart): masks still equal trying every token, at every
    /// length up to the limit and past it, in nested bounded repetitions and number ranges.
    func testSharedPositionsOfBoundedTextsEqualBruteForce() throws {
        let cases: [(schema: String, text: String)] = [
            (#"{"type":"string","maxLength":40}"#, "\"" + String(repeating: "ab", count: 20) + "\""),
            (#"{"type":"string","maxLength":40}"#, "\"the é😀 a\\n " + String(repeating: "x", count: 28) + "\""),
            (#"{"type":"array","items":{"type":"string","maxLength":30},"maxItems":24}"#,
             "[" + (0..<24).map { index in "\"" + String(repeating: "t", count: index + 7) + "\"" }.joined(separator: ",") + "]"),
            (#"{"type":"object","properties":{"n":{"type":"number","minimum":-2.5,"exclusiveMaximum":1000}},"required":["n"]}"#, #"{"n":999.99999}"#),
        ]
        var steps = 0
        for (schema, text) in cases {
            let compiled = try Self.compile(schema)
            var matcher = GrammarMatcher(compiled)
            for byte in Array(text.utf8) {
                let mask = matcher.nextTokenMask()
                for id in 0..<Self.vocabulary.count {
                    var probe = matcher
                    XCTAssertEqual(Self.isSet(mask, id), probe.acceptToken(id), "\(schema) after \(matcher.stepCount) bytes: token \(Self.vocabulary.tokens[id])")
                }
                XCTAssertTrue(matcher.acceptText([byte]), "\(schema): \(text) at byte \(matcher.stepCount)")
                steps += 1
            }
            XCTAssertTrue(matcher.isComplete, schema)
        }
        XCTAssertGreaterThan(steps, 500)
        let tooLong = try Self.compile(#"{"type":"string","maxLength":40}"#)
        XCTAssertFalse(GrammarTestSupport.accepts(tooLong, "\"" + String(repeating: "ab", count: 20) + "a\""))
    }

    func testTokensSpanningTerminalsAndPartialUTF8AreAccepted() throws {
        let compiled = try Self.compile(#"{"type":"object","properties":{"thought":{"type":"string"}},"required":["thought"]}"#)
        var matcher = GrammarMatcher(compiled)
        let tokens = Self.vocabulary.tokens
        func id(_ bytes: [UInt8]) -> Int { tokens.firstIndex(of: bytes)! }
        XCTAssertTrue(matcher.acceptToken(id(Array("{\"thought\":\"".utf8))))
        XCTAssertTrue(matcher.acceptToken(id([0xF0, 0x9F])), "the first half of 😀 is a valid prefix inside a string")
        XCTAssertFalse(matcher.acceptToken(id(Array("\"}".utf8))), "a string cannot end inside a character")
        XCTAssertTrue(matcher.acceptToken(id([0x98, 0x80])))
        XCTAssertTrue(matcher.acceptToken(id(Array("\"}".utf8))))
        XCTAssertTrue(matcher.isComplete)
        XCTAssertFalse(matcher.acceptToken(id(Array(" ".utf8))))
        XCTAssertTrue(matcher.acceptToken(Self.endID))
        XCTAssertTrue(matcher.isTerminated)
        XCTAssertEqual(matcher.nextTokenMask(), [UInt32](repeating: 0, count: Self.vocabulary.maskWordCount))
    }

    func testEndTokenOnlyWhenComplete() throws {
        let compiled = try Self.compile(#"{"type":"array","items":{"type":"integer"},"minItems":1}"#)
        var matcher = GrammarMatcher(compiled)
        XCTAssertFalse(matcher.acceptToken(Self.endID))
        XCTAssertTrue(matcher.acceptText(Array("[12".utf8)))
        XCTAssertFalse(Self.isSet(matcher.nextTokenMask(), Self.endID))
        XCTAssertFalse(matcher.acceptToken(Self.endID))
        XCTAssertTrue(matcher.acceptText(Array("]".utf8)))
        XCTAssertTrue(Self.isSet(matcher.nextTokenMask(), Self.endID))
        XCTAssertTrue(matcher.acceptToken(Self.endID))
    }

    func testSpecialTokensAreNeverAllowed() throws {
        let compiled = try Self.compile("true")
        var matcher = GrammarMatcher(compiled)
        let special = Self.vocabulary.count - 1
        XCTAssertFalse(Self.isSet(matcher.nextTokenMask(), special))
        XCTAssertFalse(matcher.acceptToken(special))
    }

    func testRollbackRestoresEarlierMasksAndState() throws {
        let compiled = try Self.compile(#"{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string"}},"required":["a","b"]}"#)
        var matcher = GrammarMatcher(compiled)
        let start = matcher.nextTokenMask()
        XCTAssertTrue(matcher.acceptText(Array("{\"a\":".utf8)))
        let afterKey = matcher.nextTokenMask()
        XCTAssertTrue(matcher.acceptText(Array("12".utf8)))
        XCTAssertTrue(matcher.acceptText(Array(",\"b\":\"x\"}".utf8)))
        XCTAssertTrue(matcher.isComplete)
        matcher.rollback(2)
        XCTAssertFalse(matcher.isComplete)
        XCTAssertEqual(matcher.nextTokenMask(), afterKey)
        matcher.rollback(5)
        XCTAssertEqual(matcher.stepCount, 0)
        XCTAssertEqual(matcher.nextTokenMask(), start)
        XCTAssertTrue(matcher.acceptText(Array("{\"a\":-0,\"b\":\"\"}".utf8)))
        XCTAssertTrue(matcher.isComplete)
    }

    func testRejectedInputChangesNothing() throws {
        let compiled = try Self.compile(#"{"enum":["alpha","beta"]}"#)
        var matcher = GrammarMatcher(compiled)
        XCTAssertTrue(matcher.acceptText(Array("\"al".utf8)))
        let before = matcher.nextTokenMask()
        XCTAssertFalse(matcher.acceptText(Array("x".utf8)))
        XCTAssertEqual(matcher.stepCount, 1)
        XCTAssertEqual(matcher.nextTokenMask(), before)
    }

    func testForcedBytesFollowTheOnlyContinuation() throws {
        let compiled = try Self.compile(#"{"type":"object","properties":{"thought":{"type":"string"},"conclusion":{"type":"string"}},"required":["thought","conclusion"]}"#)
        var matcher = GrammarMatcher(compiled)
        XCTAssertEqual(String(decoding: matcher.forcedBytes(), as: UTF8.self), #"{"thought":""#)
        XCTAssertEqual(matcher.stepCount, 0, "forcedBytes does not advance")
        XCTAssertTrue(matcher.acceptText(matcher.forcedBytes()))
        XCTAssertEqual(matcher.forcedBytes(), [], "inside a string nothing is forced")
        XCTAssertTrue(matcher.acceptText(Array("hi\"".utf8)))
        XCTAssertEqual(String(decoding: matcher.forcedBytes(), as: UTF8.self), #","conclusion":""#)
    }

    func testForcedBytesStopWhereTheGrammarMayEnd() throws {
        let compiled = try Self.compile(#"{"enum":["ab","abc"]}"#)
        var matcher = GrammarMatcher(compiled)
        XCTAssertEqual(String(decoding: matcher.forcedBytes(), as: UTF8.self), "\"ab")
        XCTAssertTrue(matcher.acceptText(Array("\"ab\"".utf8)))
        XCTAssertEqual(matcher.forcedBytes(), [])
    }

    func testLeftRecursiveGrammarIsRejected() {
        var grammar = Grammar()
        let list = grammar.addRule(named: "list")
        grammar.setBody(.choice([.concatenation([.rule(list), .literal(",x")]), .literal("x")]), of: list)
        XCTAssertThrowsError(try CompiledGrammar(grammar, vocabulary: Self.vocabulary)) { error in
            XCTAssertEqual((error as? GrammarCompileError)?.errors, [.leftRecursion(rule: "list")])
        }
    }

    func testMalformedHandBuiltGrammarsAreReportedNotCrashed() {
        var grammar = Grammar()
        grammar.addRule(named: "root", body: .concatenation([.rule(RuleID(7)), .repetition(.literal("a"), min: 3, max: 1)]))
        XCTAssertThrowsError(try CompiledGrammar(grammar, vocabulary: Self.vocabulary)) { error in
            XCTAssertEqual((error as? GrammarCompileError)?.errors.map(\.description), [
                "The rule `root` cannot be compiled: it refers to rule 7, which does not exist.",
                "The rule `root` cannot be compiled: a repetition needs 0 ≤ min ≤ max ≤ 100000, got 3…1.",
            ])
        }
    }

    func testOutOfRangeSpecialIDsAreIgnored() throws {
        let vocabulary = TokenVocabulary(tokens: [Array("a".utf8)], endTokenIDs: [5], specialTokenIDs: [-1])
        XCTAssertEqual(vocabulary.endTokenIDs, [])
        var grammar = Grammar()
        grammar.addRule(named: "root", body: .literal("a"))
        var matcher = GrammarMatcher(try CompiledGrammar(grammar, vocabulary: vocabulary))
        XCTAssertEqual(matcher.nextTokenMask(), [1])
        XCTAssertFalse(matcher.acceptToken(5))
    }

    func testMaskLayoutIsThirtyTwoTokensPerWordLowBitFirst() throws {
        var tokens: [[UInt8]] = (0..<70).map { _ in Array("z".utf8) }
        tokens[33] = Array("a".utf8)
        tokens[69] = Array("ab".utf8)
        let vocabulary = TokenVocabulary(tokens: tokens, endTokenIDs: [])
        var grammar = Grammar()
        grammar.addRule(named: "root", body: .literal("ab"))
        var matcher = GrammarMatcher(try CompiledGrammar(grammar, vocabulary: vocabulary))
        XCTAssertEqual(vocabulary.maskWordCount, 3)
        XCTAssertEqual(matcher.nextTokenMask(), [0, 1 << 1, 1 << 5])
    }
}
