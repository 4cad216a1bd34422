/// A minimal deterministic automaton over Unicode scalars, for a grammar to walk.
///
/// Built from a ``RegexNFA`` by subset construction, then trimmed and minimised:
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
    }

    public struct State: Sendable, Hashable {
        /// Sorted by `range.lowerBound`, pairwise disjoint.
        public var transitions: [Transition]
        public var isAccepting: Bool
    }

    /// The most states subset construction may create before the pattern is rejected.
    public static let maximumStates = 20_000

    public private(set) var states: [State]
    public let start = 0

    /// Builds the minimal DFA for `nfa` under `mode`.
    public init(nfa: RegexNFA, mode: RegexNFA.MatchMode) throws(RegexError) {
        let raw = try Self.subsetConstruction(nfa, mode: mode)
        states = Self.minimise(Self.trim(raw))
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

    private static func subsetConstruction(_ nfa: RegexNFA, mode: RegexNFA.MatchMode) throws(RegexError) -> [State] {
        // Search = Σ* · pattern · Σ*: a looping entry state, and a looping accept.
        let nfa = mode == .search ? nfa.withSearchLoops() : nfa
        var states: [State] = []
        var keys: [Key] = []
        var index: [Key: Int] = [:]

        func intern(_ key: Key) throws(RegexError) -> Int {
            if let existing = index[key] { return existing }
            guard keys.count < maximumStates else {
                throw .tooComplex(message: "its DFA needs more than \(maximumStates) states")
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

    // MARK: Trimming and minimisation

    /// Removes states from which no accepting state is reachable (keeping the start).
    private static func trim(_ states: [State]) -> [State] {
        var reverse = [[Int]](repeating: [], count: states.count)
        for (source, state) in states.enumerated() {
            for transition in state.transitions { reverse[transition.target].append(source) }
        }
        var live = states.map(\.isAccepting)
        var stack = live.indices.filter { live[$0] }
        while let state = stack.popLast() {
            for source in reverse[state] where !live[source] {
                live[source] = true
                stack.append(source)
            }
        }
        return states.map { state in
            State(transitions: state.transitions.filter { live[$0.target] }, isAccepting: state.isAccepting)
        }
    }

    /// Moore's partition refinement, then renumbering in breadth-first order from the start.
    private static func minimise(_ states: [State]) -> [State] {
        var classes = states.map { $0.isAccepting ? 1 : 0 }
        var classCount = Set(classes).count
        while true {
            var signatures: [[Int]: Int] = [:]
            var refined = [Int](repeating: 0, count: states.count)
            for (position, state) in states.enumerated() {
                var signature = [classes[position]]
                for transition in merged(state.transitions, classes: classes) {
                    signature += [Int(transition.range.lowerBound), Int(transition.range.upperBound), transition.target]
                }
                if let existing = signatures[signature] {
                    refined[position] = existing
                } else {
                    signatures[signature] = signatures.count
                    refined[position] = signatures.count - 1
                }
            }
            classes = refined
            if signatures.count == classCount { break }
            classCount = signatures.count
        }

        // Renumber reachable classes breadth-first from the start's class.
        var number: [Int: Int] = [classes[0]: 0]
        var representatives = [0]
        var cursor = 0
        var result: [State] = []
        while cursor < representatives.count {
            let state = states[representatives[cursor]]
            var transitions: [Transition] = []
            for transition in merged(state.transitions, classes: classes) {
                let targetClass = transition.target
                if number[targetClass] == nil {
                    number[targetClass] = representatives.count
                    representatives.append(classes.firstIndex(of: targetClass)!)
                }
                transitions.append(Transition(range: transition.range, target: number[targetClass]!))
            }
            result.append(State(transitions: transitions, isAccepting: state.isAccepting))
            cursor += 1
        }
        return result
    }

    /// Transitions relabelled with target classes, adjacent ranges of one class merged.
    private static func merged(_ transitions: [Transition], classes: [Int]) -> [Transition] {
        var result: [Transition] = []
        for transition in transitions {
            let target = classes[transition.target]
            if let last = result.last, last.target == target,
               last.range.upperBound + 1 == transition.range.lowerBound
                || (last.range.upperBound == 0xD7FF && transition.range.lowerBound == 0xE000) {
                result[result.count - 1].range = last.range.lowerBound...transition.range.upperBound
            } else {
                result.append(Transition(range: transition.range, target: target))
            }
        }
        return result
    }
}
