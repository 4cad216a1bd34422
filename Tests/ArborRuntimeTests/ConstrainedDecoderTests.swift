import ArborGrammar
import ArborModel
import ArborRuntime
import ArborSchema
import ArborTestSupport
import Foundation
import XCTest

final class ConstrainedDecoderTests: XCTestCase {
    /// The default model, or a failure telling the user to run `make setup`.
    private func loadModel(file: StaticString = #filePath, line: UInt = #line) throws -> (GGUFFile, BPETokenizer) {
        let file = try GGUFFile(path: ModelFiles.defaultModelPath(file: file, line: line))
        return (file, try BPETokenizer(gguf: file))
    }

    private static let schemas: [String] = [
        #"{"type":"object","properties":{"name":{"type":"string","maxLength":12},"age":{"type":"integer","minimum":0,"maximum":120}},"required":["name","age"]}"#,
        #"{"type":"string","enum":["red","green","blue"]}"#,
        #"{"type":"array","items":{"type":"integer","minimum":1,"maximum":9},"minItems":2,"maxItems":4}"#,
        #"{"type":"object","properties":{"ok":{"type":"boolean"},"tags":{"type":"array","items":{"type":"string","maxLength":6},"maxItems":2}},"required":["ok","tags"]}"#,
        #"{"type":"object","properties":{"code":{"type":"string","pattern":"^[A-Z]{2}-[0-9]{3}$"}},"required":["code"]}"#,
        #"{"anyOf":[{"type":"null"},{"type":"integer","minimum":-5,"maximum":5}]}"#,
        #"{"type":"object","properties":{"when":{"type":"string","format":"date"}},"required":["when"]}"#,
        ##"{"$defs":{"tree":{"anyOf":[{"type":"integer","minimum":0,"maximum":9},{"type":"array","items":{"$ref":"#/$defs/tree"},"maxItems":2}]}},"type":"object","properties":{"root":{"$ref":"#/$defs/tree"}},"required":["root"]}"##,
        #"{"type":"integer","minimum":10,"maximum":20}"#,
        #"{"type":"number","minimum":0}"#,
        #"{"type":"boolean"}"#,
        #"{"const":"fixed"}"#,
        #"{"type":"string","format":"date-time"}"#,
        #"{"type":"string","minLength":2,"maxLength":5}"#,
        #"{"type":"array","items":{"enum":["a","b","c"]},"minItems":1,"maxItems":3}"#,
        #"{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"object","properties":{"c":{"type":"integer","minimum":0,"maximum":3}},"required":["c"]}},"required":["b"]}},"required":["a"]}"#,
        #"{"type":"object","properties":{"id":{"type":"integer","minimum":1,"maximum":50},"note":{"type":"string","maxLength":8}},"required":["id"]}"#,
        #"{"oneOf":[{"type":"string","enum":["x"]},{"type":"integer","minimum":0,"maximum":3}]}"#,
        #"{"type":"array","prefixItems":[{"type":"string","maxLength":4},{"type":"integer","minimum":0,"maximum":9}]}"#,
        #"{"type":"object","properties":{"ip":{"type":"string","format":"ipv4"},"uuid":{"type":"string","format":"uuid"}},"required":["ip","uuid"]}"#,
    ]

    func testReasoningTreeWithCalculatorHoleEndsInValidTree() throws {
        let (file, tokenizer) = try loadModel()
        let calculator = ReasoningTreeSpec.Tool(name: "calculator", parameters: try SchemaDocument(jsonText:
            #"{"type":"object","properties":{"expression":{"type":"string","maxLength":20}},"required":["expression"]}"#))
        let output = try SchemaDocument(jsonText: #"{"type":"object","properties":{"answer":{"type":"integer","minimum":0,"maximum":100}},"required":["answer"]}"#)
        let spec = ReasoningTreeSpec(tools: [calculator], output: output, maxDepth: 2, maxBreadth: 2, maxToolCalls: 1)
        let built = try TreeGrammarBuilder.grammar(for: spec)
        let compiled = try VocabularyCache.shared.compiled(built.grammar, for: tokenizer)
        let model = try Transformer(file: file, threads: 2, contextSlots: 1024)
        var holes: [String] = []
        let decoder = ConstrainedDecoder(model: model, tokenizer: tokenizer, grammar: compiled) { name, matcher in
            holes.append(name)
            let result = Array(#"{"value":4}"#.utf8)
            XCTAssertTrue(matcher.fillHole(with: result))
            return result
        }
        var sampler = Sampler(settings: SamplerSettings(temperature: 0, seed: 0))
        let prompt = tokenizer.encode("What is 2+2? Think, then answer in JSON.", parseSpecial: false, addSpecial: true)
        let result = try decoder.generate(prompt: prompt, sampler: &sampler, maxTokens: 700,
                                          schema: try SchemaDocument(compiling: spec.treeSchema))
        XCTAssertTrue(holes.allSatisfy { $0 == "tool_result" })
        XCTAssertFalse(result.text.isEmpty)
    }

    func testSampledOutputsParseAndValidateForEverySchema() throws {
        let (file, tokenizer) = try loadModel()
        let prompt = tokenizer.encode("Answer in JSON:", parseSpecial: false, addSpecial: true)
        var total = 0, forced = 0
        for (index, text) in Self.schemas.enumerated() {
            let document = try SchemaDocument(jsonText: text)
            let built = try SchemaGrammarBuilder.grammar(for: document)
            let compiled = try VocabularyCache.shared.compiled(built.grammar, for: tokenizer)
            for seed in [1, 2, 3] as [UInt64] {
                let model = try Transformer(file: file, threads: 2, contextSlots: 256)
                var sampler = Sampler(settings: SamplerSettings(temperature: 1.0, seed: seed))
                let decoder = ConstrainedDecoder(model: model, tokenizer: tokenizer, grammar: compiled)
                do {
                    let output = try decoder.generate(prompt: prompt, sampler: &sampler, maxTokens: 200, schema: document)
                    total += 1
                    forced += output.forcedTokens
                } catch {
                    XCTFail("schema \(index) seed \(seed): \(error)")
                }
            }
        }
        XCTAssertEqual(total, Self.schemas.count * 3)
        XCTAssertGreaterThan(forced, 0, "keys of required properties are forced text and should be jumped over")
    }

    func testTokenLimitClosesTheValueInsteadOfCuttingIt() throws {
        let (file, tokenizer) = try loadModel()
        let document = try SchemaDocument(jsonText: #"{"type":"object","properties":{"story":{"type":"string"},"rating":{"type":"integer","minimum":1,"maximum":5}},"required":["story","rating"]}"#)
        let compiled = try VocabularyCache.shared.compiled(try SchemaGrammarBuilder.grammar(for: document).grammar, for: tokenizer)
        let prompt = tokenizer.encode("Write a long story as JSON:", parseSpecial: false, addSpecial: true)
        let model = try Transformer(file: file, threads: 2, contextSlots: 128)
        var sampler = Sampler(settings: SamplerSettings(temperature: 1.0, topK: 0, topP: 1, minP: 0, seed: 4))
        let output = try ConstrainedDecoder(model: model, tokenizer: tokenizer, grammar: compiled)
            .generate(prompt: prompt, sampler: &sampler, maxTokens: 24, schema: document)
        XCTAssertTrue(output.closedAtTokenLimit, output.text)
        XCTAssertLessThanOrEqual(output.generatedTokens + output.forcedTokens, 24)
        XCTAssertNotNil(output.value["rating"], output.text)
    }
}
