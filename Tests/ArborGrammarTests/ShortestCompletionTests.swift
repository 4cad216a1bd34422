import ArborGrammar
import ArborSchema
import XCTest

/// The shortest completion closes any prefix the grammar allows into a complete, valid text.
final class ShortestCompletionTests: XCTestCase {
    func testCompletionClosesTheOpenStringAndAddsRequiredMembers() throws {
        let built = try GrammarTestSupport.schemaGrammar(#"{"type":"object","properties":{"name":{"type":"string"},"note":{"type":"string"},"age":{"type":"integer","minimum":0}},"required":["name","age"]}"#)
        var matcher = GrammarMatcher(try CompiledGrammar(built.grammar, vocabulary: GrammarTestSupport.byteVocabulary))
        XCTAssertEqual(matcher.shortestCompletionLength, Array(#"{"name":"","age":0}"#.utf8).count)
        XCTAssertTrue(matcher.acceptText(Array(#"{"name":"Ada"#.utf8)))
        XCTAssertEqual(matcher.shortestCompletion().map { String(decoding: $0, as: UTF8.self) }, #"","age":0}"#)
        XCTAssertEqual(matcher.stepCount, 1, "computing the completion does not advance")
        XCTAssertTrue(matcher.acceptText(Array(#"","age":42}"#.utf8)))
        XCTAssertEqual(matcher.shortestCompletionLength, 0)
    }

    func testTreeCompletionNeverNeedsAHoleOrBudget() throws {
        let built = try TreeGrammarBuilder.grammar(for: try TreeGrammarBuilderTests.spec(maxDepth: 2, maxBreadth: 3, maxToolCalls: 2))
        var matcher = GrammarMatcher(try CompiledGrammar(built.grammar, vocabulary: GrammarTestSupport.byteVocabulary))
        XCTAssertTrue(matcher.acceptText(Array(#"{"reasoning":[{"thought":"look"#.utf8)))
        let completion = try XCTUnwrap(matcher.shortestCompletion())
        XCTAssertFalse(String(decoding: completion, as: UTF8.self).contains("tool"))
        XCTAssertTrue(matcher.acceptText(completion) && matcher.isComplete)
    }

    /// Every prefix of random sentences, completed the shortest way, is a complete sentence
    /// of the grammar and a valid instance of the schema.
    func testCompletedPrefixesOfRandomSentencesValidate() throws {
        var checked = 0
        for (index, schemaText) in SchemaCorpus.all.enumerated() where index % 3 == 0 {
            let document = try GrammarTestSupport.document(schemaText)
            let built = try SchemaGrammarBuilder.grammar(for: document)
            let compiled = try CompiledGrammar(built.grammar, vocabulary: GrammarTestSupport.byteVocabulary)
            var sampler = GrammarSampler(built.grammar, seed: UInt64(index))
            let sentence = sampler.sample()
            for cut in stride(from: 0, through: sentence.count, by: max(1, sentence.count / 7)) {
                var matcher = GrammarMatcher(compiled)
                XCTAssertTrue(matcher.acceptText(Array(sentence[..<cut])))
                let length = try XCTUnwrap(matcher.shortestCompletionLength, "schema \(index) cut \(cut)")
                let completion = try XCTUnwrap(matcher.shortestCompletion(), "schema \(index) cut \(cut)")
                XCTAssertEqual(completion.count, length)
                let text = Array(sentence[..<cut]) + completion
                XCTAssertTrue(matcher.acceptText(completion) && matcher.isComplete, "schema \(index): \(String(decoding: text, as: UTF8.self))")
                let value = try JSONValue(parsing: text)
                if built.postChecks.isEmpty {
                    XCTAssertEqual(document.validate(value).map(\.description), [], "schema \(index) \(schemaText)")
                }
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 300)
    }
}
