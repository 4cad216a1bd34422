import ArborGrammar
import ArborSchema
import XCTest

/// The grammar, the matcher and ArborSchema's validator agree: what the grammar generates
/// validates, and what it generates the matcher accepts.
final class SchemaGrammarAgreementTests: XCTestCase {
    func testCorpusHasAtLeastTwoHundredSchemas() {
        XCTAssertGreaterThanOrEqual(SchemaCorpus.all.count, 200)
    }

    /// `Benchmarks/grammar-schemas.jsonl` (what `arbor bench --grammar --corpus` decodes with
    /// the real model) is this corpus, one schema per line. Set ARBOR_UPDATE_GOLDEN=1 to
    /// rewrite it after changing the corpus.
    func testBenchmarkCorpusFileIsTheTestCorpus() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Benchmarks/grammar-schemas.jsonl")
        let expected = try SchemaCorpus.all.map { try JSONValue(parsing: Array($0.utf8)).compactString }.joined(separator: "\n") + "\n"
        if ProcessInfo.processInfo.environment["ARBOR_UPDATE_GOLDEN"] == "1" {
            try Data(expected.utf8).write(to: file)
        }
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), expected,
                       "the benchmark corpus is out of date; run this test with ARBOR_UPDATE_GOLDEN=1")
    }

    /// A stand-in for sampling a model at temperature 1 with many seeds: every sentence the
    /// grammar produces is JSON, is accepted by the matcher, and — unless the schema has
    /// post-checks — validates against the schema.
    func testRandomSentencesValidateAndMatch() throws {
        var checkedSchemas = 0
        var samples = 0
        for (index, schemaText) in SchemaCorpus.all.enumerated() {
            let document = try GrammarTestSupport.document(schemaText)
            let built = try SchemaGrammarBuilder.grammar(for: document)
            let compiled = try CompiledGrammar(built.grammar, vocabulary: GrammarTestSupport.byteVocabulary)
            for seed in 0..<12 {
                var sampler = GrammarSampler(built.grammar, seed: UInt64(index * 1000 + seed))
                let bytes = sampler.sample()
                let text = String(decoding: bytes, as: UTF8.self)
                let value: JSONValue
                do {
                    value = try JSONValue(parsing: bytes)
                } catch {
                    XCTFail("schema \(index) \(schemaText): generated text is not JSON: \(text) (\(error))")
                    continue
                }
                if built.postChecks.isEmpty {
                    let problems = document.validate(value)
                    XCTAssert(problems.isEmpty, "schema \(index) \(schemaText): \(text) is invalid: \(problems.map(\.description))")
                }
                var matcher = GrammarMatcher(compiled)
                XCTAssert(matcher.acceptText(bytes) && matcher.isComplete, "schema \(index) \(schemaText): matcher rejects \(text)")
                samples += 1
            }
            checkedSchemas += 1
        }
        XCTAssertEqual(checkedSchemas, SchemaCorpus.all.count)
        XCTAssertGreaterThan(samples, 2000)
    }

    /// The same under bounded whitespace: the spaces, tabs and newlines the grammar lets a
    /// model write never break the JSON or the schema, and the matcher reads them back.
    func testRandomSentencesWithBoundedWhitespaceValidateAndMatch() throws {
        var samples = 0
        for (index, schemaText) in SchemaCorpus.all.enumerated() where index % 3 == 0 {
            let document = try GrammarTestSupport.document(schemaText)
            let built = try SchemaGrammarBuilder.grammar(for: document, options: .init(whitespace: .bounded(maximum: 3)))
            let compiled = try CompiledGrammar(built.grammar, vocabulary: GrammarTestSupport.byteVocabulary)
            for seed in 0..<4 {
                var sampler = GrammarSampler(built.grammar, seed: UInt64(index * 7919 + seed))
                let bytes = sampler.sample()
                let text = String(decoding: bytes, as: UTF8.self)
                guard let value = try? JSONValue(parsing: bytes) else {
                    XCTFail("schema \(index): not JSON: \(text)")
                    continue
                }
                if built.postChecks.isEmpty {
                    XCTAssertEqual(document.validate(value).map(\.description), [], "schema \(index) \(schemaText): \(text)")
                }
                var matcher = GrammarMatcher(compiled)
                XCTAssert(matcher.acceptText(bytes) && matcher.isComplete, "schema \(index): matcher rejects \(text)")
                samples += 1
            }
        }
        XCTAssertGreaterThan(samples, 250)
    }

    /// Instances the validator rejects are rejected by the matcher too, for every fixture
    /// schema of ArborSchema that compiles without post-checks; valid scalar instances
    /// (no key-order or formatting policy involved) are accepted.
    func testMatcherAgreesWithValidatorOnFixtures() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("ArborSchemaTests/Fixtures/Schema")
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).filter { $0.pathExtension == "json" }
        XCTAssertFalse(files.isEmpty)
        var rejectedChecked = 0
        var acceptedChecked = 0
        for file in files {
            let groups = try JSONValue(parsing: Array(try Data(contentsOf: file)))
            for group in groups.arrayValue ?? [] {
                guard let schema = group["schema"], let document = try? SchemaDocument(compiling: schema),
                      let built = try? SchemaGrammarBuilder.grammar(for: document), built.postChecks.isEmpty,
                      let compiled = try? CompiledGrammar(built.grammar, vocabulary: GrammarTestSupport.byteVocabulary)
                else { continue }
                for test in group["tests"]?.arrayValue ?? [] {
                    guard let data = test["data"], let valid = test["valid"]?.boolValue else { continue }
                    let text = data.compactString
                    let accepted = GrammarTestSupport.accepts(compiled, text)
                    let label = "\(file.lastPathComponent) \(group["description"]?.stringValue ?? ""): \(test["description"]?.stringValue ?? "") \(text)"
                    if !valid {
                        XCTAssertFalse(accepted, "matcher accepts an invalid instance: \(label)")
                        rejectedChecked += 1
                    } else if Self.isScalar(data), !Self.writesASubset(schema) {
                        XCTAssertTrue(accepted, "matcher rejects a valid instance: \(label)")
                        acceptedChecked += 1
                    }
                }
            }
        }
        XCTAssertGreaterThan(rejectedChecked, 50)
        XCTAssertGreaterThan(acceptedChecked, 50)
    }

    /// Formats the grammar writes as a documented subset (see `FormatGrammar`): no leap
    /// seconds in times, emails and host names short enough for their length limits. Valid
    /// instances outside the subset are rightly rejected, like members in another key order.
    private static func writesASubset(_ schema: JSONValue) -> Bool {
        ["time", "date-time", "email", "hostname"].contains(schema["format"]?.stringValue ?? "")
    }

    /// Strings, booleans, null and integers written as integers: no policy applies to them.
    private static func isScalar(_ value: JSONValue) -> Bool {
        switch value {
        case .string, .bool, .null, .integer: return true
        default: return false
        }
    }
}
