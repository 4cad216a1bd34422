import ArborGrammar
import ArborSchema
import Foundation
import XCTest

/// Bounded `number`s: the grammar, used as an acceptor, agrees with the validator on random
/// values and on the values at and next to each bound.
final class NumberRangeGrammarTests: XCTestCase {
    private struct Range {
        var keywords: String
        /// The bounds as the schema writes them, for building values around them.
        var bounds: [String]
    }

    private static let ranges: [Range] = [
        Range(keywords: #""minimum":0,"maximum":1"#, bounds: ["0", "1"]),
        Range(keywords: #""minimum":0.5,"maximum":2.25"#, bounds: ["0.5", "2.25"]),
        Range(keywords: #""exclusiveMinimum":0.5,"exclusiveMaximum":2.25"#, bounds: ["0.5", "2.25"]),
        Range(keywords: #""exclusiveMinimum":0"#, bounds: ["0"]),
        Range(keywords: #""minimum":-3.75,"maximum":-0.125"#, bounds: ["-3.75", "-0.125"]),
        Range(keywords: #""minimum":-1,"maximum":1"#, bounds: ["-1", "1"]),
        Range(keywords: #""exclusiveMinimum":-12.5,"maximum":7"#, bounds: ["-12.5", "7"]),
        Range(keywords: #""minimum":0.1,"exclusiveMaximum":0.3"#, bounds: ["0.1", "0.3"]),
        Range(keywords: #""maximum":-1000.001"#, bounds: ["-1000.001"]),
        Range(keywords: #""minimum":99.99"#, bounds: ["99.99"]),
        Range(keywords: #""minimum":1e20,"maximum":1.5e21"#, bounds: ["100000000000000000000", "1500000000000000000000"]),
        Range(keywords: #""minimum":-1e300,"exclusiveMaximum":1e300"#, bounds: ["-1e300", "1e300"]),
        Range(keywords: #""minimum":1e-7,"maximum":3.5e-6"#, bounds: ["0.0000001", "0.0000035"]),
        Range(keywords: #""minimum":2,"maximum":2"#, bounds: ["2"]),
        Range(keywords: #""minimum":0.999,"exclusiveMaximum":1.001,"exclusiveMinimum":0.9995"#, bounds: ["0.9995", "1.001"]),
        Range(keywords: #""exclusiveMaximum":5,"minimum":4"#, bounds: ["4", "5"]),
    ]

    private static func compile(_ keywords: String) throws -> (SchemaDocument, SchemaGrammar, CompiledGrammar) {
        let text = #"{"type":"number",\#(keywords)}"#
        let document = try GrammarTestSupport.document(text)
        let built = try SchemaGrammarBuilder.grammar(for: document)
        return (document, built, try CompiledGrammar(built.grammar, vocabulary: GrammarTestSupport.byteVocabulary))
    }

    /// A decimal's plain digits (no exponent), as JSON writes it.
    private static func plain(_ value: Decimal) -> String {
        value.isZero ? "0" : value.description
    }

    /// Values at, one decimal place either side of, and one double either side of a bound,
    /// at several decimal scales.
    private static func boundaryValues(_ bound: String) -> [String] {
        guard let exact = Decimal(string: bound) else { return [] }
        var values = [plain(exact)]
        for places in [0, 1, 2, 3, 4, 6, 9, 12, 16] {
            let step = Decimal(sign: .plus, exponent: -places, significand: 1)
            values += [plain(exact - step), plain(exact + step)]
        }
        if let double = Double(bound), double.magnitude < 1e15 {
            values += [double.nextUp, double.nextDown].map { String(format: "%.17f", $0) }
        }
        values += [plain(exact) + (plain(exact).contains(".") ? "0" : ".0")]
        return values
    }

    /// Random decimals around the bounds: integer parts near them, 0 to 6 fraction digits.
    private static func randomValues(around bounds: [String], using generator: inout SeededGenerator) -> [String] {
        let centres = bounds.compactMap { Decimal(string: $0) }
        return (0..<150).map { _ in
            let centre = centres.randomElement(using: &generator) ?? 0
            let spread = Decimal(Int.random(in: -40...40, using: &generator)) * Decimal(sign: .plus, exponent: -Int.random(in: 0...3, using: &generator), significand: 1)
            let fractionDigits = Int.random(in: 0...6, using: &generator)
            let fraction = (0..<fractionDigits).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
            let base = plain(centre + spread)
            if fraction.isEmpty || base.contains(".") { return base }
            return base + "." + fraction
        }
    }

    /// Whether `text`'s double lies within two doubles of a bound, where the grammar keeps
    /// to the safe side of the validator's rounding (see `numberExpression`).
    private static func nearBound(_ text: String, _ bounds: [String]) -> Bool {
        guard let value = Double(text) else { return false }
        return bounds.compactMap(Double.init).contains { bound in abs(value - bound) <= 2 * bound.ulp }
    }

    func testBoundedNumbersAgreeWithTheValidator() throws {
        var generator = SeededGenerator(seed: 2026)
        var checked = 0, acceptedByBoth = 0
        for range in Self.ranges {
            let (document, built, compiled) = try Self.compile(range.keywords)
            XCTAssertEqual(built.postChecks, [], "\(range.keywords): bounds are enforced by the grammar")
            let candidates = range.bounds.flatMap(Self.boundaryValues) + Self.randomValues(around: range.bounds, using: &generator)
            for text in Set(candidates) {
                guard let value = try? JSONValue(parsing: Array(text.utf8)) else { continue }
                let valid = document.validate(value).isEmpty
                let accepted = GrammarTestSupport.accepts(compiled, text)
                if accepted {
                    XCTAssertTrue(valid, "\(range.keywords): the grammar accepts \(text), which the validator rejects")
                    acceptedByBoth += 1
                } else if valid && !Self.nearBound(text, range.bounds) {
                    XCTFail("\(range.keywords): the validator accepts \(text), which the grammar rejects")
                }
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 2500)
        XCTAssertGreaterThan(acceptedByBoth, 800)
    }

    func testInclusiveBoundsAreInsideAndExclusiveOnesOutside() throws {
        let (_, _, closed) = try Self.compile(#""minimum":0.5,"maximum":2.25"#)
        for text in ["0.5", "0.50", "2.25", "2.2500", "1", "1.0", "0.51", "2.2499", "2"] {
            XCTAssertTrue(GrammarTestSupport.accepts(closed, text), text)
        }
        for text in ["0.49", "0.4999999", "2.2500001", "2.26", "3", "0", "-1", "1e0", "0.5e0", "-0.5", ".5", "01"] {
            XCTAssertFalse(GrammarTestSupport.accepts(closed, text), text)
        }
        let (_, _, open) = try Self.compile(#""exclusiveMinimum":0.5,"exclusiveMaximum":2.25"#)
        for text in ["0.5000001", "2.2499999", "1"] {
            XCTAssertTrue(GrammarTestSupport.accepts(open, text), text)
        }
        for text in ["0.5", "0.50", "2.25", "2.250"] {
            XCTAssertFalse(GrammarTestSupport.accepts(open, text), text)
        }
    }

    func testRangesAcrossZeroNeverWriteMinusZero() throws {
        let (_, _, across) = try Self.compile(#""minimum":-1,"maximum":1"#)
        for text in ["0", "0.0", "-0.5", "1", "-1", "-1.000", "0.00000000000000001", "-0.00000000000000001"] {
            XCTAssertTrue(GrammarTestSupport.accepts(across, text), text)
        }
        for text in ["-0", "-0.0", "-0.000", "1.0000001", "-1.01", "2"] {
            XCTAssertFalse(GrammarTestSupport.accepts(across, text), text)
        }
        let (_, _, negative) = try Self.compile(#""minimum":-3.75,"maximum":-0.125"#)
        XCTAssertEqual(["-0.125", "-3.75", "-2", "-0.12", "-3.76", "0", "-0"].map { GrammarTestSupport.accepts(negative, $0) },
                       [true, true, true, false, false, false, false])
    }

    func testExclusiveBoundsStayClearOfTheDoubleThatRoundsOntoThem() throws {
        // 4.99999999999999999 reads as the double 5, which `exclusiveMaximum: 5` rejects.
        let (document, _, below) = try Self.compile(#""exclusiveMaximum":5"#)
        XCTAssertFalse(document.validate(try JSONValue(parsing: "4.99999999999999999")).isEmpty)
        XCTAssertFalse(GrammarTestSupport.accepts(below, "4.99999999999999999"))
        XCTAssertTrue(GrammarTestSupport.accepts(below, "4.999999999999999"))
        XCTAssertTrue(GrammarTestSupport.accepts(below, "-999999999999999999.99999999999999999"), "the open side stops at the digit limits")
        XCTAssertFalse(GrammarTestSupport.accepts(below, "-1000000000000000000"))
        let (_, _, positive) = try Self.compile(#""exclusiveMinimum":0"#)
        XCTAssertEqual(["0", "0.0", "0.00000000000000001", "0.000000000000000001", "7", "1e-9"].map { GrammarTestSupport.accepts(positive, $0) },
                       [false, false, true, false, true, false])
    }

    func testHugeAndTinyBoundsAreWrittenOutInFull() throws {
        let (_, _, huge) = try Self.compile(#""minimum":-1e300,"maximum":1e300"#)
        XCTAssertTrue(GrammarTestSupport.accepts(huge, "1" + String(repeating: "0", count: 300)))
        XCTAssertTrue(GrammarTestSupport.accepts(huge, "-" + String(repeating: "9", count: 300) + ".5"))
        XCTAssertFalse(GrammarTestSupport.accepts(huge, "1" + String(repeating: "0", count: 299) + "1"))
        XCTAssertFalse(GrammarTestSupport.accepts(huge, "1e300"), "no exponent when a bound is present")
        let (_, _, tiny) = try Self.compile(#""minimum":1e-30,"maximum":2e-30"#)
        let zeros = String(repeating: "0", count: 29)
        XCTAssertEqual(["0.\(zeros)1", "0.\(zeros)15", "0.\(zeros)2", "0.\(zeros)21", "0.\(zeros)09", "0"].map { GrammarTestSupport.accepts(tiny, $0) },
                       [true, false, true, false, false, false], "a range holding no 17-digit fraction gets the 30 digits its bounds need, no more")
    }

    func testImpossibleRangesAreReported() {
        XCTAssertThrowsError(try GrammarTestSupport.schemaGrammar(#"{"type":"number","minimum":2.5,"exclusiveMaximum":2.5}"#))
        XCTAssertThrowsError(try GrammarTestSupport.schemaGrammar(#"{"type":"number","exclusiveMinimum":0,"exclusiveMaximum":5e-324}"#))
    }

    func testUnboundedNumbersKeepTheirExponent() throws {
        let plain = try CompiledGrammar(GrammarTestSupport.schemaGrammar(#"{"type":"number"}"#).grammar, vocabulary: GrammarTestSupport.byteVocabulary)
        XCTAssertTrue(GrammarTestSupport.accepts(plain, "-1.5e10"))
        let (_, built, _) = try Self.compile(#""minimum":0,"multipleOf":0.5"#)
        XCTAssertEqual(built.postChecks.map(\.keyword), ["multipleOf"])
    }
}
