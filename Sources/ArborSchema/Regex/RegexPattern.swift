/// A compiled regular expression with JSON Schema `pattern` semantics.
///
/// Parsing and NFA construction happen once, in the initialiser, so an unsupported or
/// invalid pattern fails at schema compile time. ``matches(_:)`` is a search: it is true when
/// any substring matches, unless `^`/`$` pin the match. ``dfa(mode:)`` builds the
/// deterministic automaton a grammar walks.
///
/// The initialiser also tries to build the search DFA with a small state budget
/// (``eagerDFAStateLimit``); when that succeeds, which it does for ordinary patterns,
/// ``matches(_:)`` walks the DFA instead of simulating the NFA.
///
/// ```swift
/// let pattern = try RegexPattern("^[a-z]+-\\d{2}$")
/// pattern.matches("abc-12")  // true
/// pattern.matches("x abc-12")  // false: `^` pins the start
/// try RegexPattern("\\d").matches("a1b")  // true: unanchored search
/// ```
public struct RegexPattern: Sendable {
    /// The pattern as written.
    public let source: String
    /// The parsed syntax tree.
    public let syntax: RegexNode
    /// The Thompson NFA of ``syntax``.
    public let nfa: RegexNFA

    /// The search DFA, when it fits in ``eagerDFAStateLimit`` states.
    private let searchDFA: RegexDFA?

    /// The most states the initialiser spends on the search DFA before falling back to NFA
    /// simulation for ``matches(_:)``.
    public static let eagerDFAStateLimit = 2_000

    public init(_ source: String) throws(RegexError) {
        self.source = source
        syntax = try RegexParser.parse(source)
        nfa = try RegexNFA(syntax)
        searchDFA = try? RegexDFA(nfa: nfa, mode: .search, stateLimit: Self.eagerDFAStateLimit, minimised: false)
    }

    /// Whether some substring of `string` matches (JSON Schema `pattern` semantics).
    public func matches(_ string: String) -> Bool {
        if let searchDFA { return searchDFA.matches(string) }
        return nfa.matches(string, mode: .search)
    }

    /// Whether the whole of `string` matches.
    public func matchesWholeString(_ string: String) -> Bool {
        nfa.matches(string, mode: .wholeString)
    }

    /// The minimal DFA for this pattern; `.search` gives the language of strings that
    /// satisfy the `pattern` keyword.
    public func dfa(mode: RegexNFA.MatchMode) throws(RegexError) -> RegexDFA {
        try RegexDFA(nfa: nfa, mode: mode)
    }
}

extension RegexPattern: Equatable, Hashable {
    public static func == (lhs: RegexPattern, rhs: RegexPattern) -> Bool { lhs.source == rhs.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}
