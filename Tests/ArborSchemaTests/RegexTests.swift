import Foundation
import XCTest
@testable import ArborSchema

final class RegexTests: XCTestCase {
    /// Every case in Fixtures/Regex/*.json: the NFA search, the search DFA and the
    /// whole-string DFA must all agree with the expected verdicts. `search.json` is written by
    /// hand; `python_differential.json` holds random patterns whose verdicts come from Python's
    /// `re.search` (ASCII mode, inputs without line terminators, where it agrees with ECMA-262).
    func testSearchFixturesAgreeAcrossNFAAndDFA() throws {
        var checked = 0
        for url in try FixturePaths.files(in: "Regex") {
            let file = url.lastPathComponent
            let cases = try JSONValue(parsing: Data(contentsOf: url))
            for entry in cases.arrayValue ?? [] {
                let source = entry["pattern"]?.stringValue ?? ""
                let pattern: RegexPattern
                let search: RegexDFA
                let whole: RegexDFA
                do {
                    pattern = try RegexPattern(source)
                    search = try pattern.dfa(mode: .search)
                    whole = try pattern.dfa(mode: .wholeString)
                } catch {
                    XCTFail("\(file): \(source.debugDescription): \(error)")
                    continue
                }
                for (key, expected) in [("match", true), ("noMatch", false)] {
                    for input in entry[key]?.arrayValue?.compactMap(\.stringValue) ?? [] {
                        XCTAssertEqual(pattern.nfa.matches(input, mode: .search), expected, "\(file): NFA search \(source.debugDescription) on \(input.debugDescription)")
                        XCTAssertEqual(pattern.matches(input), expected, "\(file): pattern \(source.debugDescription) on \(input.debugDescription)")
                        XCTAssertEqual(search.matches(input), expected, "\(file): DFA search \(source.debugDescription) on \(input.debugDescription)")
                        XCTAssertEqual(whole.matches(input), pattern.matchesWholeString(input), "\(file): DFA whole \(source.debugDescription) on \(input.debugDescription)")
                        checked += 1
                    }
                }
            }
        }
        XCTAssertGreaterThan(checked, 4000)
    }

    func testDFAIsMinimalAndExposesRanges() throws {
        let dfa = try RegexPattern("^[a-c]+$").dfa(mode: .search)
        XCTAssertEqual(dfa.states.count, 2)
        XCTAssertEqual(dfa.start, 0)
        XCTAssertEqual(dfa.states[0].transitions, [RegexDFA.Transition(range: 0x61...0x63, target: 1)])
        XCTAssertFalse(dfa.states[0].isAccepting)
        XCTAssertEqual(dfa.states[1].transitions, [RegexDFA.Transition(range: 0x61...0x63, target: 1)])
        XCTAssertTrue(dfa.states[1].isAccepting)

        // (a|b)*abb is the textbook example whose minimal DFA has four states.
        XCTAssertEqual(try RegexPattern("(a|b)*abb").dfa(mode: .wholeString).states.count, 4)
        // Redundant alternatives collapse.
        XCTAssertEqual(try RegexPattern("^(?:a|a|[a])$").dfa(mode: .search).states.count, 2)
    }

    func testSearchDFAAcceptingStateLoopsOnEverything() throws {
        let dfa = try RegexPattern("\\d").dfa(mode: .search)
        XCTAssertEqual(dfa.states.count, 2)
        let accepting = try XCTUnwrap(dfa.states.firstIndex { $0.isAccepting })
        XCTAssertEqual(dfa.next(accepting, 0), accepting)
        XCTAssertEqual(dfa.next(accepting, 0x10FFFF), accepting)
        XCTAssertEqual(dfa.next(dfa.start, 0x41), dfa.start)
    }

    func testEveryStateCanReachAcceptance() throws {
        for source in ["^a{2,4}b$", "^(x|yz)+$", "^\\d{4}-\\d{2}$", "(a|b)*abb"] {
            let dfa = try RegexPattern(source).dfa(mode: .wholeString)
            var canAccept = dfa.states.map(\.isAccepting)
            var changed = true
            while changed {
                changed = false
                for (index, state) in dfa.states.enumerated() where !canAccept[index] {
                    if state.transitions.contains(where: { canAccept[$0.target] }) {
                        canAccept[index] = true
                        changed = true
                    }
                }
            }
            XCTAssertTrue(canAccept.allSatisfy { $0 }, source)
            for state in dfa.states {
                for (a, b) in zip(state.transitions, state.transitions.dropFirst()) {
                    XCTAssertLessThan(a.range.upperBound, b.range.lowerBound, "transitions sorted and disjoint in \(source)")
                }
            }
        }
    }

    func testEmptyLanguageHasOneNonAcceptingState() throws {
        let dfa = try RegexPattern("^[]$").dfa(mode: .search)
        XCTAssertEqual(dfa.states, [RegexDFA.State(transitions: [], isAccepting: false)])
        XCTAssertFalse(dfa.matches(""))
    }

    func testUnsupportedConstructsNameThemselvesAndTheirOffset() {
        let cases: [(String, String, String, Int)] = [
            ("(a)\\1", "\\1", "backreference", 3),
            ("(?<y>a)\\k<y>", "(?<name>", "named group", 0),
            ("a\\k<y>", "\\k", "named backreference", 1),
            ("a(?=b)", "(?=", "lookahead", 1),
            ("a(?!b)", "(?!", "lookahead", 1),
            ("(?<=a)b", "(?<=", "lookbehind", 0),
            ("(?<!a)b", "(?<!", "lookbehind", 0),
            ("\\bword", "\\b", "word boundary assertion", 0),
            ("x\\B", "\\B", "word boundary assertion", 1),
            ("^\\p{L}+$", "\\p{…}", "Unicode property escape", 1),
            ("\\P{Lu}", "\\P{…}", "Unicode property escape", 0),
            ("(?i)abc", "(?i", "inline modifiers", 0),
            ("a\\012", "\\01", "octal escape", 1),
        ]
        for (source, construct, name, offset) in cases {
            XCTAssertThrowsError(try RegexPattern(source), source) { error in
                XCTAssertEqual(error as? RegexError, .unsupported(construct: construct, name: name, offset: offset), source)
                XCTAssertTrue("\(error)".contains("not supported"), source)
            }
        }
    }

    func testSyntaxErrorsCarryOffsets() {
        let cases: [(String, Int, String)] = [
            ("*a", 0, "nothing to repeat"),
            ("a**", 2, "nothing to repeat"),
            ("a{2}{3}", 4, "nothing to repeat"),
            ("(ab", 0, "unterminated group"),
            ("ab)", 2, "unmatched"),
            ("[abc", 0, "unterminated character class"),
            ("[z-a]", 1, "out of order"),
            ("[\\d-z]", 1, "range endpoint"),
            ("a{3,2}", 1, "out of order"),
            ("abc\\", 3, "lone backslash"),
            ("\\q", 0, "unknown escape"),
            ("\\x4", 0, "hexadecimal"),
            ("\\ud800", 0, "lone surrogate"),
            ("\\u{110000}", 0, "beyond"),
            ("^*", 1, "cannot be repeated"),
            ("(?x", 0, "inline"),
        ]
        for (source, offset, fragment) in cases {
            XCTAssertThrowsError(try RegexPattern(source), source) { error in
                switch error as? RegexError {
                case let .syntax(message, errorOffset):
                    XCTAssertEqual(errorOffset, offset, "\(source): \(message)")
                    XCTAssertTrue(message.contains(fragment), "\(source): \(message)")
                case let .unsupported(construct, _, errorOffset):
                    XCTAssertEqual(errorOffset, offset, source)
                    XCTAssertTrue("\(construct) \(error)".contains(fragment), "\(source): \(error)")
                default:
                    XCTFail("\(source): \(error)")
                }
            }
        }
    }

    func testHugeRepetitionIsRejectedNotBuilt() {
        XCTAssertThrowsError(try RegexPattern("a{5000}")) { error in
            guard case .tooComplex = error as? RegexError else { return XCTFail("\(error)") }
        }
        XCTAssertNoThrow(try RegexPattern("^a{1000}$"))
    }

    func testScalarRangeSetNeverHoldsSurrogates() {
        let set = ScalarRangeSet(ranges: [0xD000...0xE100])
        XCTAssertEqual(set.ranges, [0xD000...0xD7FF, 0xE000...0xE100])
        XCTAssertFalse(ScalarRangeSet.all.inverted.contains(0xD800))
        XCTAssertTrue(ScalarRangeSet.all.inverted.isEmpty)
        XCTAssertEqual(ScalarRangeSet.digits.inverted.inverted, .digits)
    }

    func testParseTreeDropsGroupsAndLaziness() throws {
        let a = RegexNode.scalars(ScalarRangeSet(scalar: "a"))
        let b = RegexNode.scalars(ScalarRangeSet(scalar: "b"))
        let c = RegexNode.scalars(ScalarRangeSet(scalar: "c"))
        XCTAssertEqual(try RegexParser.parse("^a+(?:b|c)$"),
                       .concatenation([.startAnchor, .repetition(a, min: 1, max: nil), .alternation([b, c]), .endAnchor]))
        XCTAssertEqual(try RegexParser.parse("(a)*?"), .repetition(a, min: 0, max: nil))
        XCTAssertEqual(try RegexParser.parse("a{2,5}?"), .repetition(a, min: 2, max: 5))
        XCTAssertEqual(try RegexParser.parse("a|"), .alternation([a, .empty]))
        XCTAssertEqual(try RegexParser.parse("[^\\d]"), .scalars(ScalarRangeSet.digits.inverted))
    }

    func testLazyAndGreedyGiveTheSameAutomaton() throws {
        for (lazy, greedy) in [("^a+?b*?$", "^a+b*$"), ("x{2,4}?y", "x{2,4}y"), ("(?:ab)??c", "(ab)?c")] {
            XCTAssertEqual(try RegexPattern(lazy).dfa(mode: .search), try RegexPattern(greedy).dfa(mode: .search), lazy)
        }
    }

    func testNextFollowsRangesAndReportsDeadEnds() throws {
        let dfa = try RegexPattern("^[0-9]{2}-[a-f]$").dfa(mode: .wholeString)
        var state = dfa.start
        for scalar in "12-".unicodeScalars {
            state = try XCTUnwrap(dfa.next(state, scalar.value), "\(scalar)")
        }
        XCTAssertFalse(dfa.states[state].isAccepting)
        XCTAssertNil(dfa.next(state, UInt32(("g" as Unicode.Scalar).value)), "no transition means no match is possible")
        let final = try XCTUnwrap(dfa.next(state, 0x66))
        XCTAssertTrue(dfa.states[final].isAccepting)
        XCTAssertTrue(dfa.states[final].transitions.isEmpty)
        XCTAssertEqual(dfa.states.count, 5)
    }

    func testFormatAutomataStaySmall() throws {
        for format in StringFormat.allCases {
            let dfa = try format.pattern.dfa(mode: .search)
            XCTAssertLessThan(dfa.states.count, 400, format.rawValue)
        }
    }

    func testPatternBeyondTheEagerDFABudgetStillMatches() throws {
        // The n-th symbol from the end: its DFA needs 2^12 states, more than the eager budget,
        // so matching falls back to NFA simulation.
        let pattern = try RegexPattern("a[ab]{11}$")
        XCTAssertThrowsError(try RegexDFA(nfa: pattern.nfa, mode: .search, stateLimit: RegexPattern.eagerDFAStateLimit)) { error in
            guard case .tooComplex = error as? RegexError else { return XCTFail("\(error)") }
        }
        XCTAssertTrue(pattern.matches("bbbbabbbbbbbbbbb"))
        XCTAssertFalse(pattern.matches("bbbbbabbbbbbbbbb"))
    }
}
