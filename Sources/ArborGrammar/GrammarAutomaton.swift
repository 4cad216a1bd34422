/// A grammar lowered to a byte-level pushdown automaton: one small NFA per rule whose
/// edges read a byte range, call another rule, step over a hole, or spend budget.
///
/// Scalar classes become UTF-8 byte sequences (``UTF8Sequences``); bounded repetition is
/// unrolled as nested optionals, so after reading k copies the automaton is in one place.
/// A call whose return point can only finish the caller is a *tail call* and pushes no
/// frame, so right-recursive rules (the regex automata) run in constant stack.
struct GrammarAutomaton: Sendable {
    struct ByteEdge: Sendable, Hashable {
        var low: UInt8
        var high: UInt8
        var target: Int32
    }

    struct CallEdge: Sendable, Hashable {
        var rule: Int32
        /// Where to continue after the rule; nil for a tail call.
        var returnNode: Int32?
    }

    struct Node: Sendable {
        var byteEdges: [ByteEdge] = []
        var epsilons: [Int32] = []
        var calls: [CallEdge] = []
        /// Epsilon edges that spend one unit of the grammar's budget.
        var budgeted: [Int32] = []
        /// A hole to step over with runtime text: its name and the node after it.
        var hole: (name: String, target: Int32)?
        /// The end of its rule: reaching it returns to the caller.
        var isFinal = false

        /// Whether a configuration here can read input (bytes or hole text).
        var canScan: Bool { !byteEdges.isEmpty || hole != nil }
    }

    private(set) var nodes: [Node] = []
    private(set) var ruleStart: [Int32] = []
    /// The rule each node belongs to.
    private(set) var nodeRule: [Int32] = []
    let ruleNames: [String]
    let rootRule: Int32
    let budgetLimit: Int?

    /// One copy of an unrolled repetition's body: the nodes `start..<end`, built exactly
    /// as the first copy of its chain at `firstStart` (same size, same edges shifted), with
    /// `remaining` copies of the same chain after it. The mandatory copies (`x{200,}`: the
    /// first 200) are one chain, the optional copies of a bounded repetition another; an
    /// input shorter than `remaining` bytes cannot tell a copy from its chain's first.
    struct RepetitionCopy: Sendable {
        var start: Int32
        var end: Int32
        var firstStart: Int32
        var remaining: Int
    }

    /// Every copy of every repetition, mandatory and optional (not the body of an
    /// unbounded loop), inner ones before the copy that holds them (see
    /// ``equivalentNodes(horizon:)``).
    private(set) var repetitionCopies: [RepetitionCopy] = []

    /// The largest repetition bound compiled (each count becomes automaton nodes).
    static let maximumRepetition = 100_000

    init(_ grammar: Grammar) throws(GrammarCompileError) {
        try Self.check(grammar)
        ruleNames = grammar.rules.map(\.name)
        rootRule = Int32(grammar.root.index)
        budgetLimit = grammar.budgetLimit
        var finals: [Int32] = []
        for index in grammar.rules.indices {
            ruleStart.append(newNode())
            let final = newNode()
            nodes[Int(final)].isFinal = true
            finals.append(final)
            nodeRule += [Int32(index), Int32(index)]
        }
        for (index, rule) in grammar.rules.enumerated() {
            let end = build(rule.body, from: ruleStart[index])
            nodes[Int(end)].epsilons.append(finals[index])
            nodeRule += repeatElement(Int32(index), count: nodes.count - nodeRule.count)
        }
        markTailCalls()
        try checkLeftRecursion()
    }

    /// Rejects references to missing rules and impossible repetition bounds.
    private static func check(_ grammar: Grammar) throws(GrammarCompileError) {
        var errors: [GrammarError] = []
        if !grammar.rules.indices.contains(grammar.root.index) {
            errors.append(.invalidGrammar(rule: "(root)", reason: "the root refers to rule \(grammar.root.index), which does not exist"))
        }
        func visit(_ expression: GrammarExpression, in rule: String) {
            switch expression {
            case .empty, .bytes, .byteRanges, .scalars, .hole: break
            case .sequence(let parts), .choice(let parts): parts.forEach { visit($0, in: rule) }
            case let .repetition(body, minimum, maximum):
                if minimum < 0 || (maximum.map { $0 < minimum } ?? false) || max(minimum, maximum ?? 0) > maximumRepetition {
                    errors.append(.invalidGrammar(rule: rule, reason: "a repetition needs 0 ≤ min ≤ max ≤ \(maximumRepetition), got \(minimum)…\(maximum.map(String.init) ?? "∞")"))
                }
                visit(body, in: rule)
            case .rule(let id):
                if !grammar.rules.indices.contains(id.index) {
                    errors.append(.invalidGrammar(rule: rule, reason: "it refers to rule \(id.index), which does not exist"))
                }
            case .budgeted(let body): visit(body, in: rule)
            }
        }
        for rule in grammar.rules { visit(rule.body, in: rule.name) }
        if !errors.isEmpty { throw GrammarCompileError(errors: errors) }
    }

    private mutating func newNode() -> Int32 {
        nodes.append(Node())
        return Int32(nodes.count - 1)
    }

    private mutating func epsilon(_ from: Int32, _ to: Int32) {
        nodes[Int(from)].epsilons.append(to)
    }

    /// Adds edges for `expression` starting at `start`; returns the node where it ends.
    private mutating func build(_ expression: GrammarExpression, from start: Int32) -> Int32 {
        switch expression {
        case .empty:
            return start
        case .bytes(let bytes):
            var current = start
            for byte in bytes {
                let next = newNode()
                nodes[Int(current)].byteEdges.append(ByteEdge(low: byte, high: byte, target: next))
                current = next
            }
            return current
        case .byteRanges(let ranges):
            let end = newNode()
            for range in ranges {
                nodes[Int(start)].byteEdges.append(ByteEdge(low: range.lowerBound, high: range.upperBound, target: end))
            }
            return end
        case .scalars(let set):
            let end = newNode()
            for range in set.ranges {
                for sequence in UTF8Sequences.split(range) {
                    var current = start
                    for (position, bytes) in sequence.enumerated() {
                        let next = position == sequence.count - 1 ? end : newNode()
                        nodes[Int(current)].byteEdges.append(ByteEdge(low: bytes.lowerBound, high: bytes.upperBound, target: next))
                        current = next
                    }
                }
            }
            return end
        case .sequence(let parts):
            var current = start
            for part in parts {
                // A fresh node between parts keeps one part's loops from reaching the next's edges.
                let entry = newNode()
                epsilon(current, entry)
                current = build(part, from: entry)
            }
            return current
        case .choice(let options):
            let end = newNode()
            for option in options {
                let entry = newNode()
                epsilon(start, entry)
                epsilon(build(option, from: entry), end)
            }
            return end
        case let .repetition(body, minimum, maximum):
            var current = start
            var firstMandatory: Int32?
            for count in 0..<minimum {
                let entry = newNode()
                epsilon(current, entry)
                current = build(body, from: entry)
                repetitionCopies.append(RepetitionCopy(start: entry, end: Int32(nodes.count), firstStart: firstMandatory ?? entry,
                                                       remaining: minimum - count - 1))
                if firstMandatory == nil { firstMandatory = entry }
            }
            let end = newNode()
            if let maximum {
                // Nested optionals: (x (x (x)?)?)? — one position per count read.
                var firstStart: Int32?
                for count in minimum..<max(minimum, maximum) {
                    epsilon(current, end)
                    let entry = newNode()
                    epsilon(current, entry)
                    current = build(body, from: entry)
                    repetitionCopies.append(RepetitionCopy(start: entry, end: Int32(nodes.count), firstStart: firstStart ?? entry,
                                                           remaining: maximum - count - 1))
                    if firstStart == nil { firstStart = entry }
                }
                epsilon(current, end)
            } else {
                let loop = newNode()
                epsilon(current, loop)
                let entry = newNode()
                epsilon(loop, entry)
                epsilon(build(body, from: entry), loop)
                epsilon(loop, end)
            }
            return end
        case .rule(let id):
            let end = newNode()
            nodes[Int(start)].calls.append(CallEdge(rule: Int32(id.index), returnNode: end))
            return end
        case .hole(let name):
            let end = newNode()
            let entry = newNode()
            epsilon(start, entry)
            nodes[Int(entry)].hole = (name, end)
            return end
        case .budgeted(let body):
            let entry = newNode()
            nodes[Int(start)].budgeted.append(entry)
            return build(body, from: entry)
        }
    }

    /// Turns calls whose return node can only reach its rule's end into tail calls.
    private mutating func markTailCalls() {
        var isTail = nodes.map(\.isFinal)
        var changed = true
        while changed {
            changed = false
            for index in nodes.indices where !isTail[index] {
                let node = nodes[index]
                if node.byteEdges.isEmpty, node.calls.isEmpty, node.budgeted.isEmpty, node.hole == nil,
                   !node.epsilons.isEmpty, node.epsilons.allSatisfy({ isTail[Int($0)] }) {
                    isTail[index] = true
                    changed = true
                }
            }
        }
        for index in nodes.indices {
            for (position, call) in nodes[index].calls.enumerated() {
                if let target = call.returnNode, isTail[Int(target)] {
                    nodes[index].calls[position].returnNode = nil
                }
            }
        }
    }

    /// Rejects rules that can call themselves before reading any input.
    private func checkLeftRecursion() throws(GrammarCompileError) {
        let ruleCount = ruleStart.count
        // Nullable rules: the end is reachable from the start without reading input.
        var nullable = [Bool](repeating: false, count: ruleCount)
        var leftCalls = [[Int32]](repeating: [], count: ruleCount)
        var changed = true
        while changed {
            changed = false
            for rule in 0..<ruleCount {
                var seen = Set<Int32>()
                var stack = [ruleStart[rule]]
                var reachesEnd = false
                var calls: [Int32] = []
                while let node = stack.popLast() {
                    guard seen.insert(node).inserted else { continue }
                    let current = nodes[Int(node)]
                    if current.isFinal { reachesEnd = true }
                    stack += current.epsilons + current.budgeted
                    for call in current.calls {
                        calls.append(call.rule)
                        if nullable[Int(call.rule)] {
                            if let next = call.returnNode { stack.append(next) } else { reachesEnd = true }
                        }
                    }
                }
                if reachesEnd && !nullable[rule] {
                    nullable[rule] = true
                    changed = true
                }
                leftCalls[rule] = calls
            }
        }
        // A cycle in the "calls before reading" graph is left recursion.
        var state = [UInt8](repeating: 0, count: ruleCount)  // 0 new, 1 on stack, 2 done
        var errors: [GrammarError] = []
        func visit(_ rule: Int) {
            state[rule] = 1
            for callee in leftCalls[rule] {
                let next = Int(callee)
                if state[next] == 1 {
                    errors.append(.leftRecursion(rule: ruleNames[next]))
                } else if state[next] == 0 {
                    visit(next)
                }
            }
            state[rule] = 2
        }
        for rule in 0..<ruleCount where state[rule] == 0 { visit(rule) }
        if !errors.isEmpty { throw GrammarCompileError(errors: errors) }
    }
}
