import ArborGrammar
import ArborSchema
import XCTest

final class SchemaGrammarBuilderTests: XCTestCase {
    static func compiled(_ schema: String, options: SchemaGrammarOptions = SchemaGrammarOptions()) throws -> CompiledGrammar {
        try CompiledGrammar(try GrammarTestSupport.schemaGrammar(schema, options: options).grammar, vocabulary: GrammarTestSupport.byteVocabulary)
    }

    static func errors(_ schema: String) -> [GrammarError] {
        do {
            _ = try GrammarTestSupport.schemaGrammar(schema)
            return []
        } catch let error as GrammarCompileError {
            return error.errors
        } catch {
            return [.invalidWorkflow(reason: "unexpected \(error)")]
        }
    }

    func testPropertiesFollowDeclaredOrderAndOptionalOnesMayBeOmitted() throws {
        let grammar = try Self.compiled(#"{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"},"c":{"type":"integer"}},"required":["b"]}"#)
        for text in [#"{"b":1}"#, #"{"a":1,"b":2}"#, #"{"b":2,"c":3}"#, #"{"a":1,"b":2,"c":3}"#] {
            XCTAssertTrue(GrammarTestSupport.accepts(grammar, text), text)
        }
        for text in [#"{}"#, #"{"a":1}"#, #"{"b":2,"a":1}"#, #"{"b":1,"d":2}"#, #"{"b":1,}"#, #"{,"b":1}"#] {
            XCTAssertFalse(GrammarTestSupport.accepts(grammar, text), text)
        }
    }

    func testOptionalPropertyWithFalseSchemaIsNeverWritten() throws {
        let grammar = try Self.compiled(#"{"type":"object","properties":{"gone":false,"kept":{"type":"null"}}}"#)
        XCTAssertTrue(GrammarTestSupport.accepts(grammar, #"{"kept":null}"#))
        XCTAssertFalse(GrammarTestSupport.accepts(grammar, #"{"gone":null}"#))
        XCTAssertEqual(Self.errors(#"{"type":"object","properties":{"gone":false},"required":["gone"]}"#),
                       [.unsatisfiable(pointer: JSONPointer(tokens: ["properties", "gone"]), reason: "the schema is `false`")])
    }

    func testAdditionalPropertiesSchemaAllowsExtraMembersAfterDeclaredOnes() throws {
        let grammar = try Self.compiled(#"{"type":"object","additionalProperties":{"type":"boolean"},"minProperties":1,"maxProperties":2}"#)
        XCTAssertTrue(GrammarTestSupport.accepts(grammar, #"{"x":true}"#))
        XCTAssertTrue(GrammarTestSupport.accepts(grammar, #"{"x":true,"y":false}"#))
        XCTAssertFalse(GrammarTestSupport.accepts(grammar, #"{}"#))
        XCTAssertFalse(GrammarTestSupport.accepts(grammar, #"{"x":true,"y":false,"z":true}"#))
        XCTAssertFalse(GrammarTestSupport.accepts(grammar, #"{"x":1}"#))
    }

    func testCompactByDefaultAndBoundedWhitespaceWhenAsked() throws {
        let schema = #"{"type":"object","properties":{"a":{"type":"array","items":{"type":"integer"}}},"required":["a"]}"#
        XCTAssertFalse(GrammarTestSupport.accepts(try Self.compiled(schema), #"{"a": [1]}"#))
        let spaced = try Self.compiled(schema, options: .init(whitespace: .bounded(maximum: 4)))
        XCTAssertTrue(GrammarTestSupport.accepts(spaced, "{\n  \"a\": [ 1,\t2 ]\n}"))
        XCTAssertTrue(GrammarTestSupport.accepts(spaced, #"{"a":[1]}"#))
        XCTAssertFalse(GrammarTestSupport.accepts(spaced, "{\"a\":     [1]}"), "five spaces exceed the bound of four")
    }

    func testPatternCharactersThatJSONEscapesUseTheirShortEscape() throws {
        let grammar = try Self.compiled(#"{"type":"string","pattern":"^a\"b\\\\c\\nd$"}"#)
        XCTAssertTrue(GrammarTestSupport.accepts(grammar, #""a\"b\\c\nd""#))
        XCTAssertFalse(GrammarTestSupport.accepts(grammar, #""a\u0022b\\c\nd""#), "only the short escape is generated")
        XCTAssertFalse(GrammarTestSupport.accepts(grammar, "\"a\"b\\\\c\\nd\""))
    }

    func testPatternIsASearchUnlessAnchored() throws {
        let grammar = try Self.compiled(#"{"type":"string","pattern":"\\d{2}"}"#)
        XCTAssertTrue(GrammarTestSupport.accepts(grammar, #""ab12cd""#))
        XCTAssertTrue(GrammarTestSupport.accepts(grammar, #""\"12\"""#))
        XCTAssertFalse(GrammarTestSupport.accepts(grammar, #""a1b2""#))
    }

    func testLengthBoundsCountCharactersNotBytes() throws {
        let grammar = try Self.compiled(#"{"type":"string","minLength":2,"maxLength":2}"#)
        XCTAssertTrue(GrammarTestSupport.accepts(grammar, #""😀é""#))
        XCTAssertTrue(GrammarTestSupport.accepts(grammar, #""\n\u00e9""#), "an escape is one character")
        XCTAssertFalse(GrammarTestSupport.accepts(grammar, #""😀""#))
        XCTAssertFalse(GrammarTestSupport.accepts(grammar, #""abc""#))
        XCTAssertFalse(GrammarTestSupport.accepts(grammar, #""\ud800a""#), "lone surrogate escapes are not generated")
    }

    func testIntegerBoundsInTheGrammar() throws {
        let natural = try Self.compiled(#"{"type":"integer","minimum":1}"#)
        XCTAssertTrue(GrammarTestSupport.accepts(natural, "1"))
        XCTAssertFalse(GrammarTestSupport.accepts(natural, "0"))
        XCTAssertFalse(GrammarTestSupport.accepts(natural, "-3"))
        let range = try Self.compiled(#"{"type":"integer","minimum":-2,"exclusiveMaximum":3}"#)
        XCTAssertEqual(["-3", "-2", "-1", "0", "1", "2", "3", "01"].map { GrammarTestSupport.accepts(range, $0) },
                       [false, true, true, true, true, true, false, false])
        let number = try Self.compiled(#"{"type":"number","minimum":0}"#)
        XCTAssertTrue(GrammarTestSupport.accepts(number, "0.0005"))
        XCTAssertFalse(GrammarTestSupport.accepts(number, "0.5e-3"), "no exponent once a bound is present")
        XCTAssertFalse(GrammarTestSupport.accepts(number, "-0.5"))
        XCTAssertFalse(GrammarTestSupport.accepts(number, "1e999"), "exponents are bounded to two digits")
    }

    func testConstraintsLeftToValidationAreListedAsPostChecks() throws {
        let built = try GrammarTestSupport.schemaGrammar(#"""
            {"type":"object","properties":{
              "n":{"type":"integer","minimum":5,"maximum":1000,"multipleOf":5},
              "u":{"type":"array","items":{"type":"integer"},"uniqueItems":true},
              "k":{"oneOf":[{"type":"string"},{"type":"integer"}]},
              "d":{"type":"string","format":"date"},
              "p":{"type":"string","pattern":"^a+$","maxLength":3}}}
            """#)
        let found = Set(built.postChecks.map { "\($0.pointer.string) \($0.keyword)" })
        // n's bounds, d's calendar and p's length are in the grammar, and k's branches cannot both match.
        XCTAssertEqual(found, ["/properties/n multipleOf", "/properties/u uniqueItems"], "p's length is counted by the grammar")
        XCTAssertEqual(built.postChecks.first?.description.hasSuffix("is checked after generation, not by the grammar"), true)
    }

    func testAllOfMergesAndReportsConflictsWithPointers() {
        XCTAssertEqual(Self.errors(#"{"allOf":[{"type":"string","pattern":"a"},{"pattern":"b"}]}"#).map(\.description),
                       ["/allOf/1: the keywords `pattern` appear in more than one combined schema (allOf/$ref/anyOf siblings) with different values, which Arbor cannot merge; simplify this part of the schema."])
        XCTAssertEqual(Self.errors(#"{"allOf":[{"type":"string"},{"type":"integer"}]}"#),
                       [.unsatisfiable(pointer: .root, reason: "the combined `type` lists have no type in common")])
    }

    func testEveryProblemIsReportedWithItsPointer() {
        let errors = Self.errors(#"{"type":"object","properties":{"a":false,"b":{"type":"string","pattern":"x","format":"email"},"c":{"type":"integer","minimum":5,"maximum":4},"d":{"type":"array","prefixItems":[{"type":"null"}],"minItems":2}},"required":["a"]}"#)
        XCTAssertEqual(errors.map(\.description), [
            "/properties/a: no JSON value satisfies this schema (the schema is `false`); fix the schema.",
            "/properties/b: `pattern` and `format` together are not supported; keep one; simplify this part of the schema.",
            "/properties/c: no JSON value satisfies this schema (no integer lies between the bounds); fix the schema.",
            "/properties/d: no JSON value satisfies this schema (`minItems` asks for more elements than the schema allows); fix the schema.",
        ])
    }

    func testRecursiveReferencesBecomeOneRulePerRecursionLevel() throws {
        var options = SchemaGrammarOptions()
        options.maximumRecursionDepth = 2
        let built = try GrammarTestSupport.schemaGrammar(##"{"$defs":{"tree":{"type":"array","items":{"$ref":"#/$defs/tree"},"maxItems":2}},"$ref":"#/$defs/tree"}"##, options: options)
        XCTAssertEqual(built.grammar.gbnf, #"""
        root ::= root-defs-tree
        root-defs-tree ::= "[" ( root-defs-tree-depth-1 ( "," root-defs-tree-depth-1 )? )? "]"
        root-defs-tree-depth-1 ::= "[" ( root-defs-tree-depth-2 ( "," root-defs-tree-depth-2 )? )? "]"
        root-defs-tree-depth-2 ::= "[]"

        """#)
        let grammar = try CompiledGrammar(built.grammar, vocabulary: GrammarTestSupport.byteVocabulary)
        XCTAssertTrue(GrammarTestSupport.accepts(grammar, "[[],[[],[]]]"))
        XCTAssertFalse(GrammarTestSupport.accepts(grammar, "[[],[],[]]"))
        XCTAssertFalse(GrammarTestSupport.accepts(grammar, "[[[[]]]]"), "deeper than the recursion limit")
    }
}
