import ArborBench
import ArborGrammar
import ArborModel
import ArborSchema
import XCTest

/// The benchmark drives a real decode-like loop; these tests check what it reports, never
/// how fast it was.
final class GrammarBenchmarkTests: XCTestCase {
    /// Every single byte plus seeded random words, punctuation runs and JSON fragments:
    /// a stand-in for a byte-level BPE vocabulary.
    static func syntheticVocabulary(size: Int, seed: UInt64) -> TokenVocabulary {
        var generator = Xoshiro256(seed: seed)
        var tokens: [[UInt8]] = (0...255).map { [UInt8($0)] }
        let fragments = ["\":\"", "\",\"", "{\"", "\"}", "\":", "\",", "},{\"", "\"]", "]}", "\":[", "\":{\"", "thought", "conclusion",
                         "tooluse", "tool_name", "parameters", "tool_result", "subtasks", "reasoning", "answer", "query"]
        tokens += fragments.map { Array($0.utf8) }
        let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        while tokens.count < size - 1 {
            var word: [UInt8] = Bool.random(using: &generator) ? [0x20] : []
            for _ in 0..<Int.random(in: 1...7, using: &generator) { word.append(letters.randomElement(using: &generator)!) }
            if Int.random(in: 0..<8, using: &generator) == 0 { word += Array(["\",", ".\"", "\":", "\"}"].randomElement(using: &generator)!.utf8) }
            tokens.append(word)
        }
        tokens.append([])
        return TokenVocabulary(tokens: tokens, endTokenIDs: [tokens.count - 1])
    }

    /// A tree with a `search` and a `clock` tool and a `{result: str}` answer.
    static func treeSpec(maxDepth: Int = 2, maxBreadth: Int? = 2, maxToolCalls: Int? = 1) throws -> ReasoningTreeSpec {
        func document(_ text: String) throws -> SchemaDocument { try SchemaDocument(compiling: JSONValue(parsing: text)) }
        let search = #"{"type":"object","properties":{"query":{"type":"string"},"limit":{"type":"integer","minimum":1,"maximum":5}},"required":["query"]}"#
        return ReasoningTreeSpec(
            tools: [.init(name: "search", parameters: try document(search)),
                    .init(name: "clock", parameters: try document(#"{"type":"object","properties":{},"additionalProperties":false}"#))],
            output: try document(#"{"type":"object","properties":{"result":{"type":"string"}},"required":["result"]}"#),
            maxDepth: maxDepth, maxBreadth: maxBreadth, maxToolCalls: maxToolCalls)
    }

    static let segments: [GrammarBenchmark.Segment] = [
        .generated(#"{"reasoning":[{"thought":"find the population first","tooluse":{"tool_name":"search","parameters":{"query":"population of paris","limit":5},"tool_result":"#),
        .inserted(#"{"results":[{"title":"Paris","population":2102650}]}"#),
        .generated(#"},"subtasks":[{"thought":"check the year","conclusion":"it is recent"}],"conclusion":"about two million"}],"answer":{"result":"two million"}}"#),
    ]

    func testBenchmarkWritesTheTreeUnderTheMasks() throws {
        let vocabulary = Self.syntheticVocabulary(size: 3000, seed: 7)
        let built = try TreeGrammarBuilder.grammar(for: try Self.treeSpec(maxDepth: 2, maxBreadth: 3, maxToolCalls: 2))
        let compiled = try CompiledGrammar(built.grammar, vocabulary: vocabulary)
        let report = GrammarBenchmark.measureMasks(compiled, segments: Self.segments)
        XCTAssertTrue(report.completed, "\(report)")
        XCTAssertGreaterThan(report.masks, 40)
        XCTAssertLessThanOrEqual(report.p50Microseconds, report.p99Microseconds)
        XCTAssertLessThanOrEqual(report.p99Microseconds, report.maximumMicroseconds)
        XCTAssertGreaterThan(compiled.cachedPositionCount, 0)
    }

    func testBenchmarkReportsTextTheGrammarRejects() throws {
        let vocabulary = Self.syntheticVocabulary(size: 600, seed: 3)
        let built = try TreeGrammarBuilder.grammar(for: try Self.treeSpec(maxToolCalls: 0))
        let compiled = try CompiledGrammar(built.grammar, vocabulary: vocabulary)
        XCTAssertFalse(GrammarBenchmark.measureMasks(compiled, segments: Self.segments).completed, "tool calls are not allowed here")
    }

    func testMaskTimingsSplitFirstVisitsFromCachedSteps() throws {
        let vocabulary = Self.syntheticVocabulary(size: 800, seed: 5)
        let built = try SchemaGrammarBuilder.grammar(for: SchemaDocument(compiling: JSONValue(parsing: #"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["a","b"]}"#)))
        let compiled = try CompiledGrammar(built.grammar, vocabulary: vocabulary, cacheFill: .onFirstUse)
        var matcher = GrammarMatcher(compiled)
        var timings = MaskTimings()
        var mask = [UInt32](repeating: 0, count: vocabulary.maskWordCount)
        XCTAssertTrue(matcher.acceptText(Array(#"{"a":""#.utf8)))
        mask.withUnsafeMutableBufferPointer { timings.fill(&matcher, into: $0.baseAddress!) }
        XCTAssertEqual(timings.firstVisitMicroseconds.count, 1, "inside a string for the first time")
        mask.withUnsafeMutableBufferPointer { timings.fill(&matcher, into: $0.baseAddress!) }
        XCTAssertEqual(timings.cachedMicroseconds.count, 1, "the same position again")
        XCTAssertEqual(timings.summary(of: .all).count, 2)
        XCTAssertEqual(timings.summary(of: .firstVisit).count, 1)
        XCTAssertEqual(timings.summary(of: .cached).count, 1)
    }
}
