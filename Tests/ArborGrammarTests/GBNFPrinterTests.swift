import ArborGrammar
import ArborSchema
import XCTest

/// Golden GBNF text: the grammar printed for a schema, compared character for character.
final class GBNFPrinterTests: XCTestCase {
    func testObjectWithBoundsAndOptionalMembers() throws {
        XCTAssertEqual(try GrammarTestSupport.schemaGrammar(#"{"type":"object","properties":{"name":{"type":"string","minLength":1,"maxLength":3},"tags":{"type":"array","items":{"enum":["a","b"]},"maxItems":2},"score":{"type":"number","minimum":0}},"required":["name"]}"#).grammar.gbnf, #"""
root ::= "{\"name\":\"" json-char{1,3} "\"" ( ",\"tags\":[" ( ( "\"a\"" | "\"b\"" ) ( "," ( "\"a\"" | "\"b\"" ) )? )? "]" )? ( ",\"score\":" ( "0" | [1-9] [0-9]{0,17} ) ( "." [0-9]{1,17} )? )? "}"
json-char ::= [^\x00-\x1F"\\] | "\\" ( ["/\\bfnrt] | "u" ( [0-9A-CEFa-cef] [0-9A-Fa-f]{3} | [Dd] [0-7] [0-9A-Fa-f]{2} ) )

"""#)
    }

    func testAnyOfWithSmallIntegerRange() throws {
        XCTAssertEqual(try GrammarTestSupport.schemaGrammar(#"{"anyOf":[{"type":"integer","minimum":1,"maximum":3},{"type":"null"}]}"#).grammar.gbnf, #"""
root ::= [1-3] | "null"

"""#)
    }

    func testPatternAsRightLinearRules() throws {
        XCTAssertEqual(try GrammarTestSupport.schemaGrammar(#"{"type":"string","pattern":"^\\d{2}-(a|bc)$"}"#).grammar.gbnf, #"""
root ::= "\"" root-pattern-0 "\""
root-pattern-0 ::= [0-9] root-pattern-1
root-pattern-1 ::= [0-9] root-pattern-2
root-pattern-2 ::= "-" root-pattern-3
root-pattern-3 ::= "a" root-pattern-4 | "b" root-pattern-5
root-pattern-4 ::= ""
root-pattern-5 ::= "c" root-pattern-4

"""#)
    }

    func testBoundedWhitespace() throws {
        XCTAssertEqual(try GrammarTestSupport.schemaGrammar(#"{"type":"array","items":{"type":"boolean"},"minItems":1}"#, options: .init(whitespace: .bounded(maximum: 2))).grammar.gbnf, #"""
root ::= "[" ws ( "true" | "false" ) ( ws "," ws ( "true" | "false" ) )* ws "]"
ws ::= [\t\n ]{0,2}

"""#)
    }

    func testReasoningTreeWithOneTool() throws {
        XCTAssertEqual(try TreeGrammarBuilder.grammar(for: try Self.treeSpec()).grammar.gbnf, #"""
# budgeted parts may be entered at most 4 times (enforced by the matcher)
root ::= "{\"reasoning\":[" task-1 ( "," task-1 ){0,2} "],\"answer\":" output "}"
tool-clock-parameters ::= "{" ( "\"tz\":" json-string )? "}"
json-char ::= [^\x00-\x1F"\\] | "\\" ( ["/\\bfnrt] | "u" ( [0-9A-CEFa-cef] [0-9A-Fa-f]{3} | [Dd] [0-7] [0-9A-Fa-f]{2} ) )
json-string ::= "\"" json-char* "\""
task-1 ::= "{\"thought\":" json-string ( ",\"tooluse\":{\"tool_name\":\"clock\",\"parameters\":" tool-clock-parameters ",\"tool_result\":" hole-value "}" )? ( ",\"subtasks\":[" task-2 ( "," task-2 ){0,2} "]" )? ",\"conclusion\":" json-string "}"
task-2 ::= "{\"thought\":" json-string ( ",\"tooluse\":{\"tool_name\":\"clock\",\"parameters\":" tool-clock-parameters ",\"tool_result\":" hole-value "}" )? ",\"conclusion\":" json-string "}"
output ::= json-integer
json-integer ::= "-"? ( "0" | [1-9] [0-9]{0,17} )
# hole-value: any JSON text, inserted by the runtime at a hole
hole-value ::= hole-object | hole-array | hole-string | hole-number | "true" | "false" | "null"
hole-object ::= "{" hole-ws ( hole-string hole-ws ":" hole-ws hole-value hole-ws ( "," hole-ws hole-string hole-ws ":" hole-ws hole-value hole-ws )* )? "}"
hole-array ::= "[" hole-ws ( hole-value hole-ws ( "," hole-ws hole-value hole-ws )* )? "]"
hole-string ::= "\"" ( [^"\\\x00-\x1f] | "\\" ( ["\\/bfnrt] | "u" [0-9a-fA-F]{4} ) )* "\""
hole-number ::= "-"? ( "0" | [1-9] [0-9]* ) ( "." [0-9]+ )? ( [eE] [-+]? [0-9]+ )?
hole-ws ::= [ \t\n\r]*

"""#)
    }

    static func treeSpec() throws -> ReasoningTreeSpec {
        ReasoningTreeSpec(tools: [.init(name: "clock", parameters: try GrammarTestSupport.document(#"{"type":"object","properties":{"tz":{"type":"string"}}}"#))],
                          output: try GrammarTestSupport.document(#"{"type":"integer"}"#), maxDepth: 2, maxBreadth: 3, maxToolCalls: 4)
    }

    func testHandBuiltGrammarPrintsEveryExpressionKind() {
        var grammar = Grammar()
        let digit = grammar.addRule(named: "digit", body: .byteRanges([0x30...0x39]))
        let root = grammar.addRule(named: "root value", body: .concatenation([
            .repetition(.rule(digit), min: 2, max: nil), .optional(.literal("x\t\u{7F}")),
            .plus(.choice([.literal("a"), .scalars(ScalarRangeSet(ranges: [0xE9...0xE9, 0x1F600...0x1F64F]))])),
            .repetition(.literal("-"), min: 3, max: 3), .empty,
        ]))
        grammar.root = root
        XCTAssertEqual(grammar.gbnf, #"""
        root-value ::= digit{2,} "x\t\x7F"? ( "a" | [\u00E9\U0001F600-\U0001F64F] )+ "-"{3}
        digit ::= [0-9]

        """#)
    }
}
