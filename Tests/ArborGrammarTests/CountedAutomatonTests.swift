import ArborGrammar
import ArborSchema
import XCTest

/// `pattern`/`format` together with `minLength`/`maxLength`: the grammar counts characters,
/// so a length bound holds during decoding instead of failing a post-check afterwards.
final class CountedAutomatonTests: XCTestCase {
    private static func compiled(_ schemaText: String) throws -> CompiledGrammar {
        try CompiledGrammar(GrammarTestSupport.schemaGrammar(schemaText).grammar, vocabulary: GrammarTestSupport.byteVocabulary)
    }

    func testAGrammarAcceptsExactlyTheMatchingStringsOfAllowedLength() throws {
        let pattern = "^[ab]*c[ab]?$"
        let dfa = try RegexPattern(pattern).dfa(mode: .search)
        for (minimum, maximum) in [(0, 4), (2, 3), (3, nil), (1, 1), (5, 9)] as [(Int, Int?)] {
            let bounds = #""minLength":\#(minimum)"# + (maximum.map { #","maxLength":\#($0)"# } ?? "")
            let schema = #"{"type":"string","pattern":"\#(pattern)",\#(bounds)}"#
            let built = try GrammarTestSupport.schemaGrammar(schema)
            XCTAssertEqual(built.postChecks, [], schema)
            let grammar = try CompiledGrammar(built.grammar, vocabulary: GrammarTestSupport.byteVocabulary)
            var generator = SeededGenerator(seed: UInt64(minimum * 31 + (maximum ?? 99)))
            for _ in 0..<400 {
                let length = Int.random(in: 0...11, using: &generator)
                let text = String((0..<length).map { _ in "abc".randomElement(using: &generator)! })
                let expected = dfa.matches(text) && length >= minimum && length <= (maximum ?? .max)
                XCTAssertEqual(GrammarTestSupport.accepts(grammar, "\"\(text)\""), expected, "\(text.debugDescription) under \(schema)")
            }
        }
    }

    func testAPrefixThatCannotFinishWithinTheBoundIsRefusedAtOnce() throws {
        let grammar = try Self.compiled(#"{"type":"string","pattern":"^x+y$","maxLength":3}"#)
        var matcher = GrammarMatcher(grammar)
        XCTAssertTrue(matcher.acceptText(Array("\"xx".utf8)))
        var tooLong = matcher
        XCTAssertFalse(tooLong.acceptText(Array("x".utf8)), "after two x only y can still close the string in three characters")
        XCTAssertTrue(matcher.acceptText(Array("y\"".utf8)))
        XCTAssertTrue(matcher.isComplete)
    }

    func testAnEscapeCountsAsOneCharacter() throws {
        let grammar = try Self.compiled(#"{"type":"string","pattern":"^[a\"]+$","maxLength":2}"#)
        XCTAssertTrue(GrammarTestSupport.accepts(grammar, #""a\"""#))
        XCTAssertTrue(GrammarTestSupport.accepts(grammar, #""\"\"""#))
        XCTAssertFalse(GrammarTestSupport.accepts(grammar, #""a\"a""#))
    }

    func testAURLBoundLikeTheResearchWorkflowsStopsAtItsLength() throws {
        let schema = #"{"type":"string","pattern":"^https?://[A-Za-z0-9.:/_-]+$","maxLength":40}"#
        let grammar = try Self.compiled(schema)
        let url = "http://127.0.0.1:8000/history/light"
        XCTAssertTrue(GrammarTestSupport.accepts(grammar, "\"\(url)\""))
        XCTAssertTrue(GrammarTestSupport.accepts(grammar, "\"\(url + "house")\""), "40 characters")
        XCTAssertFalse(GrammarTestSupport.accepts(grammar, "\"\(url + "houses")\""), "41 characters")
        XCTAssertEqual(try GrammarTestSupport.schemaGrammar(schema).postChecks, [])
    }

    func testAFormatWithALengthBoundIsCountedToo() throws {
        let grammar = try Self.compiled(#"{"type":"string","format":"email","maxLength":10}"#)
        XCTAssertTrue(GrammarTestSupport.accepts(grammar, #""ab@cd.org""#))
        XCTAssertFalse(GrammarTestSupport.accepts(grammar, #""abcd@cd.org""#))
    }

    func testALengthNoStringOfThePatternHasIsAnErrorAtItsPointer() {
        XCTAssertEqual(SchemaGrammarBuilderTests.errors(#"{"type":"object","properties":{"p":{"type":"string","pattern":"^ab$","minLength":3}}}"#),
                       [.unsatisfiable(pointer: JSONPointer(tokens: ["properties", "p"]), reason: "no string of the allowed length matches the `pattern`")])
    }

    func testAProductTooLargeToCompileLeavesTheLengthToAPostCheck() throws {
        let built = try GrammarTestSupport.schemaGrammar(#"{"type":"string","pattern":"^[a-z]+$","maxLength":100000}"#)
        XCTAssertEqual(built.postChecks.map(\.keyword), ["maxLength"])
        let grammar = try CompiledGrammar(built.grammar, vocabulary: GrammarTestSupport.byteVocabulary)
        XCTAssertTrue(GrammarTestSupport.accepts(grammar, "\"" + String(repeating: "q", count: 300) + "\""))
    }
}
