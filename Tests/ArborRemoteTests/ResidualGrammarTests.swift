import ArborFuzzSupport
import ArborGrammar
import ArborRuntime
import ArborSpec
import Foundation
import XCTest

/// The grammar from a matcher state to the next hole, printed as GBNF, must accept exactly
/// what the matcher accepts from that state — checked with llama.cpp's own grammar engine
/// (`gbnf-validator`) on every shipped workflow's tree grammar, at random states of random
/// trees, on the true rest of the tree, its prefixes and one-character mutations.
final class ResidualGrammarTests: XCTestCase {
    /// A vocabulary of the 256 single bytes and an end token: the matcher works on bytes.
    static let byteVocabulary = TokenVocabulary(tokens: (0..<256).map { [UInt8($0)] } + [Array("</s>".utf8)],
                                                endTokenIDs: [256], specialTokenIDs: [256])

    func testResidualGBNFAgreesWithTheMatcherOnEveryShippedWorkflow() throws {
        let validator = try LlamaCppTools.binary("gbnf-validator")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("residual-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let workflows = try FileManager.default.contentsOfDirectory(atPath: LlamaCppTools.packageRoot.appendingPathComponent("Workflows").path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(workflows.count, 5)
        var checks = 0, rejected = 0, largest = 0
        for name in workflows {
            let path = LlamaCppTools.packageRoot.appendingPathComponent("Workflows/\(name)").path
            let workflow = try WorkflowLoader.loadValid(path: path)
            guard workflow.model.treeSyntax == .json else { continue }
            let tree = try TreeGrammarBuilder.grammar(for: try ReasoningTreeSpec(workflow: workflow))
            let compiled = try CompiledGrammar(tree.grammar, vocabulary: Self.byteVocabulary, cacheFill: .onFirstUse)
            var rng = FuzzRandom(seed: UInt64(name.utf8.reduce(7) { $0 &* 31 &+ UInt64($1) }))
            for _ in 0..<2 {
                var document = RandomDocument(compiled, rng: &rng)
                for _ in 0..<3 {
                    let (matcher, rest) = document.randomCut(rng: &rng)
                    let gbnf = try matcher.residualGBNF()
                    largest = max(largest, gbnf.utf8.count)
                    var cases: [[UInt8]] = [rest]
                    let boundaries = Self.characterStarts(rest)
                    for _ in 0..<2 { cases.append(Array(rest[..<boundaries[Int(rng.next() % UInt64(boundaries.count))]])) }
                    for _ in 0..<3 { cases.append(Self.mutated(rest, rng: &rng)) }
                    for (index, text) in cases.enumerated() {
                        var copy = matcher
                        let expected = copy.acceptText(text) && (copy.isComplete || copy.pendingHole != nil)
                        if index == 0 { XCTAssertTrue(expected, "\(name): the rest of a valid tree must be accepted") }
                        let actual = try LlamaCppTools.gbnfAccepts(gbnf, text, validator: validator, folder: folder)
                        checks += 1
                        if !expected { rejected += 1 }
                        if actual != expected {
                            let file = folder.deletingLastPathComponent().appendingPathComponent("residual-failure.gbnf")
                            try? gbnf.write(to: file, atomically: true, encoding: .utf8)
                            let shown = String(decoding: text, as: UTF8.self).debugDescription
                            let before = String(String(decoding: document.prefixText, as: UTF8.self).suffix(80)).debugDescription
                            XCTFail("\(name): the matcher says \(expected), llama.cpp says \(actual) for \(shown) after \(before) (grammar in \(file.path))")
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(checks, 100)
        // Mutations must give both verdicts often, or the comparison says little.
        XCTAssertGreaterThan(rejected, checks / 5)
        XCTAssertLessThan(rejected, checks * 4 / 5)
        print("residual GBNF: \(checks) texts checked against llama.cpp, \(rejected) rejected; largest residual \(largest) bytes")
    }

    /// Offsets where a UTF-8 character starts (and the end).
    static func characterStarts(_ bytes: [UInt8]) -> [Int] {
        bytes.indices.filter { bytes[$0] & 0xC0 != 0x80 } + [bytes.count]
    }

    /// `text` with one character replaced by, or one inserted before, a character JSON cares about.
    static func mutated(_ text: [UInt8], rng: inout FuzzRandom) -> [UInt8] {
        let starts = characterStarts(text)
        let at = starts[Int(rng.next() % UInt64(starts.count))]
        let replacement = Array(["\"", "}", "]", ",", "x", "1", " ", "{", ":", "é"][Int(rng.next() % 10)].utf8)
        var result = text
        if rng.next() % 2 == 0, at < text.count {
            let end = starts.first { $0 > at } ?? text.count
            result.replaceSubrange(at..<end, with: replacement)
        } else {
            result.insert(contentsOf: replacement, at: at)
        }
        return result
    }
}

/// A random sentence of a grammar, built byte by byte from what the matcher allows (ASCII
/// preferred), heading for the shortest completion once it is long enough; holes are filled
/// with a JSON value.
struct RandomDocument {
    /// The model's text between holes: segment i is followed by hole i (none after the last).
    var segments: [[UInt8]] = [[]]
    let compiled: CompiledGrammar
    private(set) var prefixText: [UInt8] = []

    init(_ compiled: CompiledGrammar, rng: inout FuzzRandom, targetLength: Int = 600) {
        self.compiled = compiled
        var matcher = GrammarMatcher(compiled)
        var length = 0
        while length < 20_000 {
            if matcher.pendingHole != nil {
                XCTAssertTrue(matcher.fillHole(with: Array(#"{"ok":1}"#.utf8)))
                segments.append([])
                continue
            }
            let byte: UInt8
            if length > targetLength, let shortest = matcher.shortestCompletion() ?? matcher.shortestCompletionToHole() {
                guard let first = shortest.first else { break }
                byte = first
            } else {
                let allowed = (0..<256).map(UInt8.init).filter { matcher.canAccept([$0]) }
                if allowed.isEmpty { break }
                let ascii = allowed.filter { $0 >= 0x20 && $0 < 0x7F }
                let pool = !ascii.isEmpty && rng.next() % 8 != 0 ? ascii : allowed
                byte = pool[Int(rng.next() % UInt64(pool.count))]
            }
            XCTAssertTrue(matcher.acceptText([byte]))
            segments[segments.count - 1].append(byte)
            length += 1
            if matcher.isComplete && length > targetLength && rng.next() % 4 == 0 { break }
        }
    }

    /// A matcher after a random prefix (at a character start inside some segment) and the
    /// rest of that segment.
    mutating func randomCut(rng: inout FuzzRandom) -> (GrammarMatcher, [UInt8]) {
        let candidates = segments.indices.filter { !segments[$0].isEmpty }
        let segment = candidates[Int(rng.next() % UInt64(candidates.count))]
        let starts = segments[segment].indices.filter { segments[segment][$0] & 0xC0 != 0x80 }
        let cut = starts[Int(rng.next() % UInt64(starts.count))]
        var matcher = GrammarMatcher(compiled)
        prefixText = []
        for index in 0..<segment {
            XCTAssertTrue(matcher.acceptText(segments[index]))
            XCTAssertTrue(matcher.fillHole(with: Array(#"{"ok":1}"#.utf8)))
            prefixText += segments[index] + Array(#"{"ok":1}"#.utf8)
        }
        XCTAssertTrue(matcher.acceptText(Array(segments[segment][..<cut])))
        prefixText += segments[segment][..<cut]
        return (matcher, Array(segments[segment][cut...]))
    }
}
