import ArborGrammar
import ArborSchema
import XCTest

/// The tree schema and the tree grammar describe the same trees (bar the tool-call count).
final class ReasoningTreeSchemaTests: XCTestCase {
    static func specWithReferences(steps: [ReasoningTreeSpec.Step] = [], summary: Bool = false) throws -> ReasoningTreeSpec {
        var spec = try TreeGrammarBuilderTests.spec(maxDepth: 3, maxBreadth: 2, maxToolCalls: nil, steps: steps, summary: summary)
        spec.tools.append(.init(name: "plan", parameters: try GrammarTestSupport.document(##"""
            {"$defs":{"item":{"type":"object","properties":{"name":{"type":"string"},"next":{"anyOf":[{"$ref":"#/$defs/item"},{"type":"null"}]}},"required":["name","next"]}},
             "type":"object","properties":{"first":{"$ref":"#/$defs/item"}},"required":["first"]}
            """##)))
        return spec
    }

    func testGrammarTreesValidateAgainstTheTreeSchema() throws {
        for spec in [try Self.specWithReferences(),
                     try Self.specWithReferences(steps: [.init(allowedTools: ["plan"]), .init(allowedTools: ["clock", "search"])]),
                     try Self.specWithReferences(summary: true)] {
            let document = try SchemaDocument(compiling: spec.treeSchema)
            let built = try TreeGrammarBuilder.grammar(for: spec)
            for seed in 0..<30 {
                var sampler = GrammarSampler(built.grammar, seed: UInt64(seed))
                sampler.depthLimit = 10
                let bytes = sampler.sample()
                let tree = try JSONValue(parsing: bytes)
                XCTAssertEqual(document.validate(tree).map(\.description), [], String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    func testTreeSchemaRejectsWhatTheGrammarRejects() throws {
        let spec = try TreeGrammarBuilderTests.spec(maxDepth: 2, maxBreadth: 2, maxToolCalls: nil)
        let document = try SchemaDocument(compiling: spec.treeSchema)
        let task = TreeGrammarBuilderTests.task
        let tooDeep = #"{"reasoning":[\#(task("t", nil, [task("u", nil, [task("v", nil, nil)])]))],"answer":{"result":""}}"#
        let tooWide = #"{"reasoning":[\#(task("a", nil, nil)),\#(task("b", nil, nil)),\#(task("c", nil, nil))],"answer":{"result":""}}"#
        let wrongParameters = #"{"reasoning":[\#(task("t", #"{"tool_name":"clock","parameters":{"query":"q"},"tool_result":1}"#, nil))],"answer":{"result":""}}"#
        let fine = #"{"reasoning":[\#(task("t", TreeGrammarBuilderTests.searchCall, [task("u", nil, nil)]))],"answer":{"result":""}}"#
        XCTAssertTrue(document.isValid(try JSONValue(parsing: fine)))
        for text in [tooDeep, tooWide, wrongParameters] {
            XCTAssertFalse(document.isValid(try JSONValue(parsing: text)), text)
        }
    }

    func testEmbeddedReferencesAreRerooted() throws {
        let schema = try Self.specWithReferences().treeSchema
        XCTAssertEqual(schema[pointer: try JSONPointer(parsing: "/$defs/tool-plan/properties/first/$ref")], "#/$defs/tool-plan/$defs/item")
    }
}
