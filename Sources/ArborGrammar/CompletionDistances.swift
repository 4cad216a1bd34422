/// For every automaton node, the fewest bytes that lead from it to the end of its rule —
/// what lets a matcher close the text in as few bytes as possible when the token budget
/// is about to run out (see ``GrammarMatcher/shortestCompletion(limit:)``).
///
/// A byte edge costs 1, epsilon edges 0, a call the callee's shortest sentence plus the rest
/// from its return node. Holes and budgeted edges are never taken (a completion must not
/// need the runtime's text or spend tool calls), so they count as unreachable.
struct CompletionDistances: Sendable {
    static let unreachable = Int32.max / 4

    /// `toRuleEnd[node]`: bytes from `node` to its rule's end.
    let toRuleEnd: [Int32]
    /// `toHole[node]`: bytes from `node` to a hole, in its rule or a rule it calls, without
    /// leaving its rule; empty when the grammar has no holes. Budgeted edges stay closed, so
    /// only a tool call already begun reaches its result this way.
    let toHole: [Int32]
    /// `throughHoles[node]`: like ``toRuleEnd`` but a hole is stepped over for free (the
    /// runtime's text is not counted); empty when the grammar has no holes.
    let throughHoles: [Int32]

    /// With `throughBudget`, budgeted edges cost nothing instead of being closed: the fewest
    /// bytes any input must read to leave the node's rule (what a token walk can do), where
    /// a completion must not spend tool calls.
    init(_ automaton: GrammarAutomaton, throughBudget: Bool = false) {
        toRuleEnd = Self.toRuleEnd(automaton, throughBudget: throughBudget, throughHoles: false)
        if throughBudget || !automaton.nodes.contains(where: { $0.hole != nil }) {
            toHole = []
            throughHoles = []
        } else {
            throughHoles = Self.toRuleEnd(automaton, throughBudget: false, throughHoles: true)
            toHole = Self.toHole(automaton, toRuleEnd: toRuleEnd)
        }
    }

    private static func toRuleEnd(_ automaton: GrammarAutomaton, throughBudget: Bool, throughHoles: Bool) -> [Int32] {
        relaxed(automaton, zeroAt: { $0.isFinal }) { node, distance in
            var best = unreachable
            if throughBudget {
                for next in node.budgeted { best = min(best, distance[Int(next)]) }
            }
            if throughHoles, let hole = node.hole { best = min(best, distance[Int(hole.target)]) }
            for call in node.calls {
                let callee = distance[Int(automaton.ruleStart[Int(call.rule)])]
                let rest = call.returnNode.map { distance[Int($0)] } ?? 0
                best = min(best, min(unreachable, callee &+ rest))
            }
            return best
        }
    }

    /// 0 at a hole; a call reaches one inside the callee, or after the callee's shortest
    /// sentence from its return node.
    private static func toHole(_ automaton: GrammarAutomaton, toRuleEnd: [Int32]) -> [Int32] {
        relaxed(automaton, zeroAt: { $0.hole != nil }) { node, distance in
            var best = unreachable
            for call in node.calls {
                let start = Int(automaton.ruleStart[Int(call.rule)])
                best = min(best, distance[start])
                if let returnNode = call.returnNode {
                    best = min(best, min(unreachable, toRuleEnd[start] &+ distance[Int(returnNode)]))
                }
            }
            return best
        }
    }

    /// Bellman–Ford style relaxation from the nodes where `zeroAt` holds: a byte edge costs
    /// 1, an epsilon 0, and `other` prices the node's remaining edges. Every pass can only
    /// lower distances, and a pass that changes nothing is the fixpoint.
    /// (`other` reads the distances through a buffer, so that no pass copies the array.)
    private static func relaxed(_ automaton: GrammarAutomaton, zeroAt: (GrammarAutomaton.Node) -> Bool,
                                other: (GrammarAutomaton.Node, UnsafeMutableBufferPointer<Int32>) -> Int32) -> [Int32] {
        let nodes = automaton.nodes
        var result = [Int32](repeating: unreachable, count: nodes.count)
        result.withUnsafeMutableBufferPointer { distance in
            for index in nodes.indices where zeroAt(nodes[index]) { distance[index] = 0 }
            var changed = true
            while changed {
                changed = false
                for index in nodes.indices.reversed() {
                    let node = nodes[index]
                    var best = min(distance[index], other(node, distance))
                    for edge in node.byteEdges { best = min(best, distance[Int(edge.target)] &+ 1) }
                    for next in node.epsilons { best = min(best, distance[Int(next)]) }
                    if best < distance[index] {
                        distance[index] = min(best, unreachable)
                        changed = true
                    }
                }
            }
        }
        return result
    }

    /// Bytes from a configuration to the end of the whole text: its node to the end of its
    /// rule, then each return node below it to the end of that rule.
    func remaining(_ configuration: ParseConfiguration, frames: FrameTable) -> Int32 {
        Self.toTextEnd(configuration, frames: frames, table: toRuleEnd)
    }

    /// `table`'s distance from the configuration's node to its rule's end, plus from each
    /// return node below it to the end of that rule.
    private static func toTextEnd(_ configuration: ParseConfiguration, frames: FrameTable, table: [Int32]) -> Int32 {
        var total = table[Int(configuration.node)]
        var frame = configuration.frame
        while frame >= 0, total < unreachable {
            total = min(unreachable, total &+ table[Int(frames[frame].returnNode)])
            frame = frames[frame].parent
        }
        return total
    }

    /// Bytes from `state` to a complete text (0 when it is complete already).
    func remaining(_ state: ParseState, frames: FrameTable) -> Int32 {
        if state.isComplete { return 0 }
        return state.configurations.map { remaining($0, frames: frames) }.min() ?? Self.unreachable
    }

    /// Bytes from `state` to the next hole: inside the configuration's rule, or after
    /// finishing it and each rule below it in turn.
    func remainingToHole(_ state: ParseState, frames: FrameTable) -> Int32 {
        guard !toHole.isEmpty else { return Self.unreachable }
        return state.configurations.map { remainingToHole($0, frames: frames) }.min() ?? Self.unreachable
    }

    func remainingToHole(_ configuration: ParseConfiguration, frames: FrameTable) -> Int32 {
        guard !toHole.isEmpty else { return Self.unreachable }
        var best = toHole[Int(configuration.node)]
        var finished = toRuleEnd[Int(configuration.node)]
        var frame = configuration.frame
        while frame >= 0, finished < Self.unreachable {
            let returnNode = Int(frames[frame].returnNode)
            best = min(best, min(Self.unreachable, finished &+ toHole[returnNode]))
            finished = min(Self.unreachable, finished &+ toRuleEnd[returnNode])
            frame = frames[frame].parent
        }
        return best
    }

    /// Bytes from `state` to a complete text when holes cost nothing.
    func remainingThroughHoles(_ state: ParseState, frames: FrameTable) -> Int32 {
        guard !throughHoles.isEmpty else { return Self.unreachable }
        if state.isComplete { return 0 }
        return state.configurations.map { Self.toTextEnd($0, frames: frames, table: throughHoles) }.min() ?? Self.unreachable
    }
}
