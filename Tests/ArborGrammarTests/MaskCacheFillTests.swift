import ArborGrammar
import ArborSchema
import XCTest

/// The compiler fills every mask-cache position a decoding can reach, so the first
/// decoding computes no token set; the entries it fills, those derived for the last copies
/// of a bounded string among them, give the masks that trying every token gives.
final class MaskCacheFillTests: XCTestCase {
    /// Single bytes, runs of letters of every length up to 24 (so that some tokens are
    /// longer than the characters a bounded string has left), string closers and JSON
    /// punctuation, an end token.
    static let vocabulary: TokenVocabulary = {
        var tokens: [[UInt8]] = (0x20...0x7E).map { [UInt8($0)] }
        let letters = Array("abcdefghijklmnopqrstuvwx".utf8)
        for length in 2...24 { tokens.append(Array(letters.prefix(length))) }
        for length in [3, 6, 11, 19] { tokens.append(Array(repeating: UInt8(ascii: "a"), count: length)) }
        let words = ["ab\"", "abcdef\"", "ab\",", "abc\"}", "a\",\"", "\":\"", "\",\"", "\"}", "{\"", "\":", "\"]", "]}",
                     "},{\"", "\"},{\"", "{\"thought\":\"", "\",\"conclusion\":\"", "\"}],\"answer\":", "thought", "conclusion",
                     "é", "\\n", "\\u00"]
        tokens += words.map { Array($0.utf8) }
        tokens += [[0xC3], [0xA9]]
        tokens.append([])
        return TokenVocabulary(tokens: tokens, endTokenIDs: [tokens.count - 1])
    }()

    static func masks(along text: [UInt8], _ compiled: CompiledGrammar, holeText: [UInt8]? = nil) -> [[UInt32]] {
        var matcher = GrammarMatcher(compiled)
        var masks: [[UInt32]] = []
        var index = 0
        while index < text.count {
            if matcher.pendingHole != nil, let holeText {
                XCTAssertTrue(matcher.fillHole(with: holeText))
                index += holeText.count
                continue
            }
            masks.append(matcher.nextTokenMask())
            XCTAssertTrue(matcher.acceptText([text[index]]), "at byte \(index) of \(String(decoding: text, as: UTF8.self))")
            index += 1
        }
        masks.append(matcher.nextTokenMask())
        XCTAssertTrue(matcher.isComplete)
        return masks
    }

    static func treeSpec() throws -> ReasoningTreeSpec {
        ReasoningTreeSpec(
            tools: [.init(name: "search", parameters: try GrammarTestSupport.document(
                        #"{"type":"object","properties":{"query":{"type":"string","maxLength":12},"limit":{"type":"integer","minimum":1,"maximum":5}},"required":["query"]}"#)),
                    .init(name: "clock", parameters: try GrammarTestSupport.document(#"{"type":"object","properties":{},"additionalProperties":false}"#))],
            output: try GrammarTestSupport.document(
                #"{"type":"object","properties":{"result":{"type":"string","maxLength":8},"tags":{"type":"array","items":{"enum":["a","b"]},"maxItems":3}},"required":["result"]}"#),
            maxDepth: 3, maxBreadth: 3, maxToolCalls: 2, maxTextLength: 30)
    }

    /// Random trees — bounded texts, tool calls, bounded parameter and answer strings —
    /// meet no position the compiler left: the cache does not grow while they are decoded.
    func testFirstDecodingOfRandomTreesComputesNoTokenSet() throws {
        let built = try TreeGrammarBuilder.grammar(for: try Self.treeSpec())
        let compiled = try CompiledGrammar(built.grammar, vocabulary: Self.vocabulary)
        let filled = compiled.cachedPositionCount
        XCTAssertGreaterThan(filled, 0)
        XCTAssertGreaterThan(compiled.cachedByteCount, 0)
        var masks = 0
        for seed in 0..<24 {
            var sampler = GrammarSampler(built.grammar, seed: UInt64(seed))
            sampler.depthLimit = 10
            masks += Self.masks(along: sampler.sample(), compiled, holeText: sampler.holeText).count
        }
        XCTAssertGreaterThan(masks, 1000)
        XCTAssertEqual(compiled.cachedPositionCount, filled, "a decoding computed token sets the compiler should have filled")
    }

    /// Masks from the compile-time cache equal masks from a cache filled on first use, along
    /// random trees and along texts that fill their bounded strings to the limit.
    func testCompileTimeEntriesEqualFirstUseEntries() throws {
        let built = try TreeGrammarBuilder.grammar(for: try Self.treeSpec())
        let prefilled = try CompiledGrammar(built.grammar, vocabulary: Self.vocabulary)
        let onFirstUse = try CompiledGrammar(built.grammar, vocabulary: Self.vocabulary, cacheFill: .onFirstUse)
        XCTAssertEqual(onFirstUse.cachedPositionCount, 0)
        let full = #"{"reasoning":[{"thought":""# + String(repeating: "abcdefghij", count: 3)
            + #"","tooluse":{"tool_name":"search","parameters":{"query":"abcdefghijkl","limit":5},"tool_result":"#
        var texts: [([UInt8], [UInt8])] = [(Array((full + #"{"ok":1}},"conclusion":"x"}],"answer":{"result":"abcdefgh"}}"#).utf8), Array(#"{"ok":1}"#.utf8))]
        for seed in 0..<12 {
            var sampler = GrammarSampler(built.grammar, seed: UInt64(40 + seed))
            texts.append((sampler.sample(), sampler.holeText))
        }
        for (text, hole) in texts {
            XCTAssertEqual(Self.masks(along: text, prefilled, holeText: hole), Self.masks(along: text, onFirstUse, holeText: hole),
                           String(decoding: text, as: UTF8.self))
        }
    }

    /// In the last copies of a bounded string, tokens longer than the characters left take
    /// their own walk and the shorter ones the first copy's outcome: the mask equals trying
    /// every token, at every length up to the limit, in a string alone, in an array of
    /// strings and in an object member followed by more members.
    func testLastCharactersOfABoundedStringEqualBruteForce() throws {
        let cases: [(schema: String, text: String)] = [
            (#"{"type":"string","maxLength":30}"#, "\"" + String(repeating: "abcdefghij", count: 3) + "\""),
            (#"{"type":"string","minLength":2,"maxLength":20}"#, "\"aaaaaaaaaaaé\\n\\u00e9abcd\""),
            (#"{"type":"array","items":{"type":"string","maxLength":7},"maxItems":3}"#, #"["abcdefg","ab","abcdef"]"#),
            (#"{"type":"object","properties":{"a":{"type":"string","maxLength":25},"b":{"type":"string","maxLength":4}},"required":["a","b"]}"#,
             #"{"a":"abcdefghijklmnopqrstuvwxa","b":"abc"}"#),
        ]
        var steps = 0
        for (schema, text) in cases {
            let compiled = try CompiledGrammar(try GrammarTestSupport.schemaGrammar(schema).grammar, vocabulary: Self.vocabulary)
            var matcher = GrammarMatcher(compiled)
            for byte in Array(text.utf8) {
                let mask = matcher.nextTokenMask()
                for id in 0..<Self.vocabulary.count {
                    var probe = matcher
                    XCTAssertEqual(GrammarMatcherTests.isSet(mask, id), probe.acceptToken(id),
                                   "\(schema) after \(matcher.stepCount) bytes: token \(String(decoding: Self.vocabulary.tokens[id], as: UTF8.self))")
                }
                XCTAssertTrue(matcher.acceptText([byte]), "\(schema): \(text) at byte \(matcher.stepCount)")
                steps += 1
            }
            XCTAssertTrue(matcher.isComplete, schema)
        }
        XCTAssertGreaterThan(steps, 100)
    }
}
