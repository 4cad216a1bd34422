/// A minimal deterministic automaton over Unicode scalars, for a grammar to walk.
///
/// Built from a ``RegexNFA`` by subset construction over scalar ranges, then trimmed and
/// minimised (Hopcroft's algorithm over the intervals on which every state behaves alike):
/// - every state can still reach an accepting state, so a scalar with no transition means
///   the input can no longer match (there is no explicit dead state);
/// - each state's transitions are sorted, disjoint ranges of scalar values, and adjacent
///   ranges with the same target are merged;
/// - the start state is `0`, and states are numbered in breadth-first order from it, so the
///   same pattern always gives the same automaton.
///
/// In ``RegexNFA/MatchMode/search`` mode (JSON Schema `pattern`), the automaton accepts every
/// string that contains a match: once a match is complete, an accepting state loops on every
/// scalar.
///
/// ```swift
/// let dfa = try RegexPattern("^[a-c]+$").dfa(mode: .search)
/// dfa.states[dfa.start].transitions  // [Transition(range: 97...99, target: 1)]
/// dfa.matches("abca")                // true
/// ```
public struct RegexDFA: Sendable, Hashable {
    /// Reading any scalar in `range` moves to `target`. After minimisation a range may span
    /// the surrogate block U+D800–U+DFFF, which never occurs in a string.
    public struct Transition: Sendable, Hashable {
        public var range: ClosedRange<UInt32>
        public var target: Int

        public init(range: ClosedRange<UInt32>, target: Int) {
            self.range = range
            self.target = target
        }
    }

    public struct State: Sendable, Hashable {
        /// Sorted by `range.lowerBound`, pairwise disjoint.
        public var transitions: [Transition]
        public var isAccepting: Bool

        public init(transitions: [Transition], isAccepting: Bool) {
            self.transitions = transitions
            self.isAccepting = isAccepting
        }
    }

    /// The most states subset construction may create before the pattern is rejected.
    public static let maximumStates = 20_000

    public private(set) var states: [State]
    public let start = 0

    /// Builds the minimal DFA for `nfa` under `mode`.
    public init(nfa: RegexNFA, mode: RegexNFA.MatchMode) throws(RegexError) {
        try self.init(nfa: nfa, mode: mode, stateLimit: Self.maximumStates)
    }

    /// `minimised: false` skips minimisation for automata used only to match: the language
    /// is the same, the states are not minimal.
    init(nfa: RegexNFA, mode: RegexNFA.MatchMode, stateLimit: Int, minimised: Bool = true) throws(RegexError) {
        let trimmed = Self.trim(try Self.subsetConstruction(nfa, mode: mode, stateLimit: stateLimit))
        states = minimised ? Self.minimise(trimmed) : trimmed
    }

    /// The state after reading `scalar` in `state`, or nil if the input can no longer match.
    public func next(_ state: Int, _ scalar: UInt32) -> Int? {
        let transitions = states[state].transitions
        var low = 0
        var high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            let range = transitions[middle].range
            if range.upperBound < scalar {
                low = middle + 1
            } else if range.lowerBound > scalar {
                high = middle
            } else {
                return transitions[middle].target
            }
        }
        return nil
    }

    /// Whether the automaton accepts `string`.
    public func matches(_ string: String) -> Bool {
        var state = start
        for scalar in string.unicodeScalars {
            guard let next = next(state, scalar.value) else { return false }
            state = next
        }
        return states[state].isAccepting
    }

    // MARK: Subset construction

    private struct Key: Hashable {
        var nfaStates: [Int]
        var atStart: Bool
    }

    static func subsetConstruction(_ nfa: RegexNFA, mode: RegexNFA.MatchMode, stateLimit: Int) throws(RegexError) -> [State] {
        // Search = Σ* · pattern · Σ*: a looping entry state, and a looping accept.
        let nfa = mode == .search ? nfa.withSearchLoops() : nfa
        var states: [State] = []
        var keys: [Key] = []
        var index: [Key: Int] = [:]

        func intern(_ key: Key) throws(RegexError) -> Int {
            if let existing = index[key] { return existing }
            guard keys.count < stateLimit else {
                throw .tooComplex(message: "its DFA needs more than \(stateLimit) states")
            }
            index[key] = keys.count
            keys.append(key)
            states.append(State(transitions: [], isAccepting: nfa.accepts(key.nfaStates, atStart: key.atStart, atEnd: true)))
            return keys.count - 1
        }

        _ = try intern(Key(nfaStates: nfa.closure(of: [nfa.start], atStart: true, atEnd: false), atStart: true))
        var cursor = 0
        while cursor < keys.count {
            let key = keys[cursor]
            var edges: [(range: ClosedRange<UInt32>, to: Int)] = []
            for state in key.nfaStates {
                for case let .scalars(set, to) in nfa.edges[state] {
                    for range in set.ranges { edges.append((range, to)) }
                }
            }
            var transitions: [Transition] = []
            for (interval, targets) in elementaryIntervals(edges) {
                let target = try intern(Key(nfaStates: nfa.closure(of: targets, atStart: false, atEnd: false), atStart: false))
                if let last = transitions.last, last.target == target, last.range.upperBound + 1 == interval.lowerBound {
                    transitions[transitions.count - 1].range = last.range.lowerBound...interval.upperBound
                } else {
                    transitions.append(Transition(range: interval, target: target))
                }
            }
            states[cursor].transitions = transitions
            cursor += 1
        }
        return states
    }

    /// Splits overlapping labelled ranges into disjoint intervals, each with the sorted
    /// targets of every range that covers it.
    private static func elementaryIntervals(_ edges: [(range: ClosedRange<UInt32>, to: Int)]) -> [(ClosedRange<UInt32>, [Int])] {
        var bounds = Set<UInt32>()
        for edge in edges {
            bounds.insert(edge.range.lowerBound)
            bounds.insert(edge.range.upperBound + 1)
        }
        let points = bounds.sorted()
        var result: [(ClosedRange<UInt32>, [Int])] = []
        for i in 0..<max(0, points.count - 1) {
            let interval = points[i]...(points[i + 1] - 1)
            var targets = Set<Int>()
            for edge in edges where edge.range.lowerBound <= interval.lowerBound && interval.upperBound <= edge.range.upperBound {
                targets.insert(edge.to)
            }
            if !targets.isEmpty { result.append((interval, targets.sorted())) }
        }
        return result
    }
}
