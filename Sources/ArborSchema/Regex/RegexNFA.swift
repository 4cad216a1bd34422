/// A Thompson NFA built from a ``RegexNode``, with anchors as assertion edges.
///
/// Each state has a list of edges: ε-edges, scalar-set edges, and the two assertion edges
/// that may be crossed only at the start (`^`) or the end (`$`) of the input. The NFA can
/// match a string directly (linear time, no blow-up), which is what validation uses; the
/// ``RegexDFA`` built from it is what a grammar walks.
///
/// ```swift
/// let nfa = try RegexNFA(RegexParser.parse("ab*c"))
/// nfa.matches("xxabbbc", mode: .search)      // true
/// nfa.matches("xxabbbc", mode: .wholeString) // false
/// ```
public struct RegexNFA: Sendable {
    /// How a pattern relates to the whole input.
    public enum MatchMode: Sendable, Hashable {
        /// JSON Schema `pattern`: the input matches if any substring matches (anchors still
        /// pin the start or end).
        case search
        /// The whole input must match, as if the pattern were wrapped in `^(?:…)$`.
        case wholeString
    }

    public enum Edge: Sendable, Hashable {
        case epsilon(to: Int)
        case scalars(ScalarRangeSet, to: Int)
        /// `^`: crossable only before the first scalar.
        case startAssertion(to: Int)
        /// `$`: crossable only after the last scalar.
        case endAssertion(to: Int)
    }

    /// The largest number of states built before giving up.
    public static let maximumStates = 100_000

    /// `edges[state]` lists the state's outgoing edges.
    public private(set) var edges: [[Edge]] = []
    public private(set) var start = 0
    public private(set) var accept = 0

    public init(_ node: RegexNode) throws(RegexError) {
        let fragment = try build(node)
        start = fragment.start
        accept = fragment.end
    }

    // MARK: Construction

    private struct Fragment {
        var start: Int
        var end: Int
    }

    private mutating func newState() throws(RegexError) -> Int {
        guard edges.count < Self.maximumStates else {
            throw .tooComplex(message: "its automaton needs more than \(Self.maximumStates) states")
        }
        edges.append([])
        return edges.count - 1
    }

    private mutating func build(_ node: RegexNode) throws(RegexError) -> Fragment {
        switch node {
        case .empty:
            let state = try newState()
            return Fragment(start: state, end: state)
        case .scalars(let set):
            let start = try newState()
            let end = try newState()
            edges[start].append(.scalars(set, to: end))
            return Fragment(start: start, end: end)
        case .startAnchor, .endAnchor:
            let start = try newState()
            let end = try newState()
            edges[start].append(node == .startAnchor ? .startAssertion(to: end) : .endAssertion(to: end))
            return Fragment(start: start, end: end)
        case .concatenation(let parts):
            var fragment = try build(parts.first ?? .empty)
            for part in parts.dropFirst() {
                let next = try build(part)
                edges[fragment.end].append(.epsilon(to: next.start))
                fragment.end = next.end
            }
            return fragment
        case .alternation(let alternatives):
            let start = try newState()
            let end = try newState()
            for alternative in alternatives {
                let branch = try build(alternative)
                edges[start].append(.epsilon(to: branch.start))
                edges[branch.end].append(.epsilon(to: end))
            }
            return Fragment(start: start, end: end)
        case let .repetition(body, min, max):
            return try buildRepetition(body, min: min, max: max)
        }
    }

    private mutating func buildRepetition(_ body: RegexNode, min: Int, max: Int?) throws(RegexError) -> Fragment {
        let start = try newState()
        var end = start
        for _ in 0..<min {
            let copy = try build(body)
            edges[end].append(.epsilon(to: copy.start))
            end = copy.end
        }
        if let max {
            // x{m,n}: after the m required copies, each optional copy may be skipped to the end.
            var skips: [Int] = []
            for _ in min..<max {
                let copy = try build(body)
                edges[end].append(.epsilon(to: copy.start))
                skips.append(end)
                end = copy.end
            }
            for state in skips { edges[state].append(.epsilon(to: end)) }
            return Fragment(start: start, end: end)
        }
        // x{m,}: a loop of one more copy.
        let loop = try newState()
        let exit = try newState()
        let copy = try build(body)
        edges[end].append(.epsilon(to: loop))
        edges[loop].append(.epsilon(to: copy.start))
        edges[loop].append(.epsilon(to: exit))
        edges[copy.end].append(.epsilon(to: loop))
        return Fragment(start: start, end: exit)
    }

    // MARK: Closure and matching

    /// The states reachable from `states` without consuming a scalar, sorted.
    ///
    /// `^` edges are crossed only when `atStart`, `$` edges only when `atEnd`.
    public func closure(of states: [Int], atStart: Bool, atEnd: Bool) -> [Int] {
        var seen = Set(states)
        var stack = states
        while let state = stack.popLast() {
            for edge in edges[state] {
                let target: Int
                switch edge {
                case .epsilon(let to): target = to
                case .startAssertion(let to) where atStart: target = to
                case .endAssertion(let to) where atEnd: target = to
                default: continue
                }
                if seen.insert(target).inserted { stack.append(target) }
            }
        }
        return seen.sorted()
    }

    /// The states reached from `states` by consuming `scalar` (before taking the closure).
    func step(_ states: [Int], on scalar: UInt32) -> [Int] {
        var targets = Set<Int>()
        for state in states {
            for case let .scalars(set, to) in edges[state] where set.contains(scalar) {
                targets.insert(to)
            }
        }
        return targets.sorted()
    }

    /// Whether `string` matches, by simulating the NFA (linear in the input, no DFA).
    public func matches(_ string: String, mode: MatchMode) -> Bool {
        let scalars = Array(string.unicodeScalars)
        var current = closure(of: [start], atStart: true, atEnd: false)
        for (position, scalar) in scalars.enumerated() {
            if mode == .search, accepts(current, atStart: position == 0, atEnd: false) { return true }
            var next = step(current, on: scalar.value)
            if mode == .search { next.append(start) }
            current = closure(of: next, atStart: false, atEnd: false)
            if current.isEmpty { return false }
        }
        return accepts(current, atStart: scalars.isEmpty, atEnd: true)
    }

    /// The NFA for Σ* · self · Σ*: a new start state that loops on every scalar, and an
    /// accepting state that loops on every scalar.
    func withSearchLoops() -> RegexNFA {
        var copy = self
        copy.edges.append([.scalars(.all, to: edges.count), .epsilon(to: start)])
        copy.start = edges.count
        copy.edges[accept].append(.scalars(.all, to: accept))
        return copy
    }

    /// Whether the accepting state is reachable from `states` at a position with the given flags.
    func accepts(_ states: [Int], atStart: Bool, atEnd: Bool) -> Bool {
        closure(of: states, atStart: atStart, atEnd: atEnd).contains(accept)
    }
}
