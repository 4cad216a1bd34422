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

    /// With `throughBudget`, budgeted edges cost nothing instead of being closed: the fewest
    /// bytes any input must read to leave the node's rule (what a token walk can do), where
    /// a completion must not spend tool calls.
    init(_ automaton: GrammarAutomaton, throughBudget: Bool = false) {
        let nodes = automaton.nodes
        var distance = [Int32](repeating: Self.unreachable, count: nodes.count)
        for index in nodes.indices where nodes[index].isFinal { distance[index] = 0 }
        // Bellman–Ford style relaxation: every pass can only lower distances, and a pass
        // that changes nothing is the fixpoint.
        var changed = true
        while changed {
            changed = false
            for index in nodes.indices.reversed() {
                let node = nodes[index]
                var best = distance[index]
                for edge in node.byteEdges { best = min(best, distance[Int(edge.target)] &+ 1) }
                for next in node.epsilons { best = min(best, distance[Int(next)]) }
                if throughBudget {
                    for next in node.budgeted { best = min(best, distance[Int(next)]) }
                }
                for call in node.calls {
                    let callee = distance[Int(automaton.ruleStart[Int(call.rule)])]
                    let rest = call.returnNode.map { distance[Int($0)] } ?? 0
                    best = min(best, min(Self.unreachable, callee &+ rest))
                }
                if best < distance[index] {
                    distance[index] = min(best, Self.unreachable)
                    changed = true
                }
            }
        }
        toRuleEnd = distance
    }

    /// Bytes from a configuration to the end of the whole text: its node to the end of its
    /// rule, then each return node below it to the end of that rule.
    func remaining(_ configuration: ParseConfiguration, frames: FrameTable) -> Int32 {
        var total = toRuleEnd[Int(configuration.node)]
        var frame = configuration.frame
        while frame >= 0, total < Self.unreachable {
            total = min(Self.unreachable, total &+ toRuleEnd[Int(frames[frame].returnNode)])
            frame = frames[frame].parent
        }
        return total
    }

    /// Bytes from `state` to a complete text (0 when it is complete already).
    func remaining(_ state: ParseState, frames: FrameTable) -> Int32 {
        if state.isComplete { return 0 }
        return state.configurations.map { remaining($0, frames: frames) }.min() ?? Self.unreachable
    }
}
