import XCTest
@testable import ArborSchema

/// Random patterns and inputs from a fixed seed: whatever parses must give a DFA that agrees
/// with direct NFA simulation, in both match modes; whatever does not parse must throw, never crash.
final class RegexEquivalenceTests: XCTestCase {
    private struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private let patternPieces = ["a", "b", "c", "é", "😀", ".", "|", "*", "+", "?", "(", ")", "(?:", "[ab]", "[^a]", "[a-c]",
                                 "\\d", "\\w", "\\s", "\\D", "^", "$", "{2}", "{1,2}", "{0,}", "?", "x", "-", "\\.", "]", "{"]
    private let inputAlphabet: [Character] = ["a", "b", "c", "x", "1", " ", "é", "😀", "-", ".", "\n"]

    func testRandomPatternsDFAAgreesWithNFA() throws {
        var random = SplitMix64(state: 20_260_523)
        var compiled = 0
        for _ in 0..<600 {
            let length = Int.random(in: 1...7, using: &random)
            let source = (0..<length).map { _ in patternPieces.randomElement(using: &random)! }.joined()
            guard let pattern = try? RegexPattern(source) else { continue }
            guard let search = try? pattern.dfa(mode: .search), let whole = try? pattern.dfa(mode: .wholeString) else {
                continue  // too complex is a legitimate refusal
            }
            compiled += 1
            for _ in 0..<40 {
                let input = String((0..<Int.random(in: 0...6, using: &random)).map { _ in inputAlphabet.randomElement(using: &random)! })
                XCTAssertEqual(search.matches(input), pattern.nfa.matches(input, mode: .search), "search \(source.debugDescription) on \(input.debugDescription)")
                XCTAssertEqual(whole.matches(input), pattern.matchesWholeString(input), "whole \(source.debugDescription) on \(input.debugDescription)")
            }
        }
        XCTAssertGreaterThan(compiled, 150, "enough random patterns should be valid to make this test meaningful")
    }

    func testRandomBytesNeverCrashTheJSONParser() {
        var random = SplitMix64(state: 7)
        let pieces: [[UInt8]] = ["{", "}", "[", "]", ",", ":", "\"", "\\", "u", "0", "1", "-", ".", "e", "t", "n", " ", "a"].map { Array($0.utf8) } + [[0xC3], [0xA9], [0xFF], [0x00]]
        var parsed = 0
        for _ in 0..<3000 {
            let bytes = (0..<Int.random(in: 0...12, using: &random)).flatMap { _ in pieces.randomElement(using: &random)! }
            if let value = try? JSONValue(parsing: bytes) {
                parsed += 1
                XCTAssertEqual(try? JSONValue(parsing: value.compactString), value)
            }
        }
        XCTAssertGreaterThan(parsed, 10)
    }

    /// The number of classes of Moore's refinement: a plain reference for Hopcroft's algorithm.
    private func mooreClassCount(_ dfa: RegexDFA) -> Int {
        var classes = dfa.states.map { $0.isAccepting ? 1 : 0 }
        var count = Set(classes).count
        while true {
            var signatures: [[Int]: Int] = [:]
            var refined: [Int] = []
            for (index, state) in dfa.states.enumerated() {
                // Per-scalar behaviour at every range boundary identifies the transition function.
                var signature = [classes[index]]
                for transition in state.transitions {
                    signature += [Int(transition.range.lowerBound), Int(transition.range.upperBound), classes[transition.target]]
                }
                refined.append(signatures[signature] ?? signatures.count)
                if signatures[signature] == nil { signatures[signature] = signatures.count }
            }
            classes = refined
            if signatures.count == count { return count }
            count = signatures.count
        }
    }

    func testMinimisedDFAsCannotBeReducedFurther() throws {
        var random = SplitMix64(state: 99)
        var checked = 0
        for _ in 0..<300 {
            let source = (0..<Int.random(in: 2...8, using: &random)).map { _ in patternPieces.randomElement(using: &random)! }.joined()
            guard let pattern = try? RegexPattern(source), let dfa = try? pattern.dfa(mode: .search) else { continue }
            XCTAssertEqual(mooreClassCount(dfa), dfa.states.count, source.debugDescription)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 80)
        XCTAssertEqual(try RegexPattern("^a{1000}$").dfa(mode: .wholeString).states.count, 1001)
    }
}
