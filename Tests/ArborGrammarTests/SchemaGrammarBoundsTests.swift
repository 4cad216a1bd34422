import ArborGrammar
import ArborSchema
import XCTest

/// Integer ranges and digit limits, the recursion bound, and `oneOf` branches that need no
/// post-check.
final class SchemaGrammarBoundsTests: XCTestCase {
    private static func compiled(_ schemaText: String, options: SchemaGrammarOptions = SchemaGrammarOptions()) throws -> CompiledGrammar {
        try CompiledGrammar(GrammarTestSupport.schemaGrammar(schemaText, options: options).grammar,
                            vocabulary: GrammarTestSupport.byteVocabulary)
    }

    func testIntegerRangesAcceptExactlyTheirMembers() throws {
        var generator = SeededGenerator(seed: 11)
        var ranges: [(Int, Int)] = [(0, 0), (-1, -1), (-9, 9), (1, 100), (7, 1234), (-1234, -7), (-345, 12), (99, 101), (10, 99), (0, 999)]
        for _ in 0..<10 {
            let low = Int.random(in: -1500...1500, using: &generator)
            ranges.append((low, low + Int.random(in: 0...900, using: &generator)))
        }
        for (low, high) in ranges {
            let grammar = try Self.compiled(#"{"type":"integer","minimum":\#(low),"maximum":\#(high)}"#)
            for value in (low - 25)...(high + 25) {
                XCTAssertEqual(GrammarTestSupport.accepts(grammar, String(value)), (low...high).contains(value), "\(value) in \(low)…\(high)")
            }
            for text in ["-0", "01", "+1", "00", ""] {
                XCTAssertFalse(GrammarTestSupport.accepts(grammar, text), "\(text.debugDescription) in \(low)…\(high)")
            }
        }
    }

    func testWideIntegerBoundsAreExactAtTheirEdges() throws {
        let wide = try Self.compiled(#"{"type":"integer","minimum":1000,"exclusiveMaximum":987654.5}"#)
        XCTAssertEqual(["999", "1000", "54321", "987654", "987655", "1000000"].map { GrammarTestSupport.accepts(wide, $0) },
                       [false, true, true, true, false, false])
        let extreme = try Self.compiled(#"{"type":"integer","minimum":-9223372036854775807,"maximum":9223372036854775807}"#)
        XCTAssertTrue(GrammarTestSupport.accepts(extreme, "9223372036854775807"))
        XCTAssertTrue(GrammarTestSupport.accepts(extreme, "-9223372036854775807"))
        XCTAssertFalse(GrammarTestSupport.accepts(extreme, "9223372036854775808"))
        let built = try GrammarTestSupport.schemaGrammar(#"{"type":"integer","minimum":5,"maximum":1000000}"#)
        XCTAssertEqual(built.postChecks, [], "integer bounds are enforced by the grammar")
    }

    func testOpenIntegersAndNumbersStopAtTheDigitLimits() throws {
        let plain = try Self.compiled(#"{"type":"integer"}"#)
        XCTAssertTrue(GrammarTestSupport.accepts(plain, String(repeating: "9", count: 18)))
        XCTAssertFalse(GrammarTestSupport.accepts(plain, "1" + String(repeating: "0", count: 18)), "19 digits may not fit in Int64")
        var options = SchemaGrammarOptions()
        options.maximumIntegerDigits = 3
        options.maximumFractionDigits = 2
        let short = try Self.compiled(#"{"type":"object","properties":{"i":{"type":"integer","minimum":-5},"n":{"type":"number"}},"required":["i","n"]}"#, options: options)
        XCTAssertTrue(GrammarTestSupport.accepts(short, #"{"i":999,"n":-999.25}"#))
        XCTAssertFalse(GrammarTestSupport.accepts(short, #"{"i":1000,"n":1}"#))
        XCTAssertFalse(GrammarTestSupport.accepts(short, #"{"i":-6,"n":1}"#))
        XCTAssertFalse(GrammarTestSupport.accepts(short, #"{"i":1,"n":1.125}"#))
        XCTAssertFalse(GrammarTestSupport.accepts(short, #"{"i":1,"n":1000}"#))
    }

    private static let linkedList = ##"{"$defs":{"list":{"anyOf":[{"type":"null"},{"type":"object","properties":{"head":{"type":"integer","minimum":0,"maximum":9},"tail":{"$ref":"#/$defs/list"}},"required":["head","tail"]}]}},"$ref":"#/$defs/list"}"##

    func testRecursiveReferencesStopAtTheRecursionLimit() throws {
        var options = SchemaGrammarOptions()
        options.maximumRecursionDepth = 2
        let grammar = try Self.compiled(Self.linkedList, options: options)
        XCTAssertTrue(GrammarTestSupport.accepts(grammar, "null"))
        XCTAssertTrue(GrammarTestSupport.accepts(grammar, #"{"head":1,"tail":{"head":2,"tail":null}}"#))
        XCTAssertFalse(GrammarTestSupport.accepts(grammar, #"{"head":1,"tail":{"head":2,"tail":{"head":3,"tail":null}}}"#))
        // The cut never leaves a dead end: after two heads the only way on is `null`.
        var matcher = GrammarMatcher(grammar)
        XCTAssertTrue(matcher.acceptText(Array(#"{"head":1,"tail":{"head":2,"tail":"#.utf8)))
        XCTAssertEqual(matcher.forcedBytes(), Array("null}}".utf8))

        let unbounded = try Self.compiled(Self.linkedList)
        let deep = (0..<8).reduce("null") { inner, _ in #"{"head":1,"tail":\#(inner)}"# }
        XCTAssertTrue(GrammarTestSupport.accepts(unbounded, deep), "the default limit (8) allows eight levels")
    }

    func testBoundedRecursiveGrammarsProduceValidValues() throws {
        var options = SchemaGrammarOptions()
        options.maximumRecursionDepth = 3
        let tree = ##"{"$defs":{"node":{"type":"object","properties":{"value":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#/$defs/node"},"maxItems":3}},"required":["value","children"]}},"$ref":"#/$defs/node"}"##
        for schema in [Self.linkedList, tree] {
            let document = try GrammarTestSupport.document(schema)
            let built = try SchemaGrammarBuilder.grammar(for: document, options: options)
            let compiled = try CompiledGrammar(built.grammar, vocabulary: GrammarTestSupport.byteVocabulary)
            for seed in 0..<20 as Range<UInt64> {
                var sampler = GrammarSampler(built.grammar, seed: seed)
                let bytes = sampler.sample()
                let value = try JSONValue(parsing: bytes)
                XCTAssertEqual(document.validate(value).map(\.description), [], String(decoding: bytes, as: UTF8.self))
                var matcher = GrammarMatcher(compiled)
                XCTAssertTrue(matcher.acceptText(bytes) && matcher.isComplete)
            }
        }
    }

    func testSchemaThatOnlyRecursesIsReportedUnsatisfiable() {
        let endless = ##"{"$defs":{"a":{"type":"object","properties":{"next":{"$ref":"#/$defs/a"}},"required":["next"]}},"$ref":"#/$defs/a"}"##
        XCTAssertThrowsError(try GrammarTestSupport.schemaGrammar(endless)) { error in
            XCTAssertTrue("\(error)".contains("recursion limit"), "\(error)")
        }
    }

    func testOneOfNeedsAPostCheckOnlyWhenBranchesCanOverlap() throws {
        let exclusive = [
            #"{"oneOf":[{"type":"string"},{"type":"integer"},{"type":"null"}]}"#,
            #"{"oneOf":[{"const":"a"},{"enum":["b","c"]}]}"#,
            #"{"oneOf":[{"type":"object","properties":{"kind":{"const":"a"},"x":{"type":"integer"}},"required":["kind"]},{"type":"object","properties":{"kind":{"const":"b"}},"required":["kind"]}]}"#,
            ##"{"$defs":{"s":{"type":"string"}},"oneOf":[{"$ref":"#/$defs/s"},{"type":"boolean"}]}"##,
        ]
        for schema in exclusive {
            XCTAssertEqual(try GrammarTestSupport.schemaGrammar(schema).postChecks, [], schema)
        }
        let overlapping = [
            #"{"oneOf":[{"type":"string"},{"type":"string","maxLength":2}]}"#,
            #"{"oneOf":[{"type":"integer"},{"type":"number"}]}"#,
            #"{"oneOf":[{"properties":{"kind":{"const":"a"}},"required":["kind"]},{"properties":{"kind":{"const":"b"}},"required":["kind"]}]}"#,
        ]
        for schema in overlapping {
            XCTAssertEqual(try GrammarTestSupport.schemaGrammar(schema).postChecks.map(\.keyword), ["oneOf"], schema)
        }
    }

    func testDateGrammarAgreesWithTheDateFormatCheck() throws {
        let grammar = try Self.compiled(#"{"type":"string","format":"date"}"#)
        for year in ["1900", "2000", "2023", "2024", "2100", "0000"] {
            for month in 0...13 {
                for day in 0...32 {
                    let date = "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
                    XCTAssertEqual(GrammarTestSupport.accepts(grammar, "\"\(date)\""), StringFormat.date.isValid(date), date)
                }
            }
        }
        XCTAssertEqual(try GrammarTestSupport.schemaGrammar(#"{"type":"string","format":"date-time"}"#).postChecks, [])
    }

    func testTimeGrammarNeverWritesALeapSecond() throws {
        let grammar = try Self.compiled(#"{"type":"string","format":"date-time"}"#)
        XCTAssertTrue(GrammarTestSupport.accepts(grammar, #""2024-02-29T23:59:59.5+01:00""#))
        XCTAssertFalse(GrammarTestSupport.accepts(grammar, #""2016-12-31T23:59:60Z""#), "valid, but only at 23:59 UTC: left out")
        XCTAssertFalse(GrammarTestSupport.accepts(grammar, #""2023-02-29T10:00:00Z""#))
    }

    func testEmailAndHostnameGrammarsKeepTheLengthLimits() throws {
        let email = try Self.compiled(#"{"type":"string","format":"email"}"#)
        XCTAssertTrue(GrammarTestSupport.accepts(email, #""john.doe@mail.example.com""#))
        XCTAssertFalse(GrammarTestSupport.accepts(email, "\"\(String(repeating: "a", count: 21))@example.com\""), "atoms of at most 20")
        let hostname = try Self.compiled(#"{"type":"string","format":"hostname"}"#)
        XCTAssertTrue(GrammarTestSupport.accepts(hostname, #""a-b.example.com""#))
        XCTAssertFalse(GrammarTestSupport.accepts(hostname, #""-a.example.com""#))
        // The longest texts the grammars allow are still valid.
        let longEmail = [String](repeating: String(repeating: "x", count: 20), count: 3).joined(separator: ".") + "@"
            + [String](repeating: String(repeating: "y", count: 40), count: 4).joined(separator: ".")
        XCTAssertTrue(GrammarTestSupport.accepts(email, "\"\(longEmail)\""))
        XCTAssertTrue(StringFormat.email.isValid(longEmail))
        let longHost = [String](repeating: String(repeating: "z", count: 40), count: 6).joined(separator: ".")
        XCTAssertTrue(GrammarTestSupport.accepts(hostname, "\"\(longHost)\""))
        XCTAssertTrue(StringFormat.hostname.isValid(longHost))
        XCTAssertEqual(try GrammarTestSupport.schemaGrammar(#"{"type":"string","format":"email"}"#).postChecks, [])
    }
}
