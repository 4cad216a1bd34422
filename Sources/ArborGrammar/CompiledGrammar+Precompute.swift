/// Cache positions filled when the grammar is compiled, so that no decoding computes one.
///
/// A position's first visit walks every token whose first byte it can read: inside a JSON
/// string almost the whole vocabulary (SmolLM2: 48,857 of 49,152 tokens, 1–3 ms), at a
/// skeleton choice point (`,"tooluse"` / `,"subtasks"` / `,"conclusion"`), a tool's
/// parameters or the answer a few hundred tokens (0.1–0.9 ms). Either is far over the
/// 100 µs a mask may take, so the compiler fills every position a decoding can reach:
/// each node that reads bytes, at level 1 for every place its rule returns to, and the
/// deeper levels, while tokens stay uncertain, for every place the rule holding the last
/// return node returns to (the tokens that close a text: `","conclusion"` after a thought).
///
/// Copies of a bounded repetition that no token can tell apart share one position
/// (``GrammarAutomaton/equivalentNodes(horizon:)``); a return into one of the last copies,
/// where a long token could use up the repetition, takes the outcomes of the tokens too
/// short to do so from the first copy and walks only the longer ones (``CompiledGrammar``'s
/// `computeEntry`). Only a string-wide node that itself lies in such a copy (a bounded
/// repetition of a character class written inline, not through a rule) is left to its
/// first visit: each of its copies would walk the whole vocabulary.
extension CompiledGrammar {
    /// Fills the cache entries of every reachable position; returns how many it filled.
    @discardableResult
    func precomputeReachablePositions(horizon: Int) -> Int {
        let nodes = automaton.nodes
        let nodeRule = automaton.nodeRule
        // Where each rule returns to: the return nodes of its calls; a tail call returns
        // wherever its caller does.
        let ruleCount = automaton.ruleStart.count
        var returns = [Set<Int32>](repeating: [], count: ruleCount)
        returns[Int(automaton.rootRule)].insert(FrameTable.root)
        var tailCallers = [[Int32]](repeating: [], count: ruleCount)
        for (index, node) in nodes.enumerated() {
            for call in node.calls {
                if let returnNode = call.returnNode {
                    returns[Int(call.rule)].insert(cacheNode[Int(returnNode)])
                } else {
                    tailCallers[Int(call.rule)].append(nodeRule[index])
                }
            }
        }
        var changed = true
        while changed {
            changed = false
            for callee in 0..<ruleCount {
                for caller in tailCallers[callee] where !returns[Int(caller)].isSubset(of: returns[callee]) {
                    returns[callee].formUnion(returns[Int(caller)])
                    changed = true
                }
            }
        }
        let sortedReturns = returns.map { $0.sorted() }
        let wide = max(1, vocabulary.sortedIDs.count / 4)
        var filled = 0
        for node in nodes.indices where cacheNode[node] == Int32(node) && !nodes[node].byteEdges.isEmpty {
            if nearEndCopies[Int32(node)] != nil, firstBytePositionCount(of: Int32(node)) >= wide { continue }
            for returnNode in sortedReturns[Int(nodeRule[node])] {
                filled += fill(TokenMaskCache.Key(node: Int32(node), returns: [returnNode]), returns: sortedReturns, nodeRule: nodeRule)
            }
        }
        return filled
    }

    /// Fills `key`'s entry and, while it leaves tokens uncertain, the deeper levels for every
    /// place the last return node's rule returns to (the tokens that close a text: `",`).
    private func fill(_ key: TokenMaskCache.Key, returns: [[Int32]], nodeRule: [Int32]) -> Int {
        let entry = cacheEntry(key)
        guard let last = key.returns.last, last != FrameTable.root, !entry.uncertain.isEmpty,
              key.returns.count < TokenMaskCache.maximumContextDepth else { return 1 }
        var filled = 1
        for returnNode in returns[Int(nodeRule[Int(last)])] {
            filled += fill(TokenMaskCache.Key(node: key.node, returns: key.returns + [returnNode]), returns: returns, nodeRule: nodeRule)
        }
        return filled
    }

    /// How many ordinary tokens start with a byte `node` can read.
    private func firstBytePositionCount(of node: Int32) -> Int {
        var readable = [Bool](repeating: false, count: 256)
        for edge in automaton.nodes[Int(node)].byteEdges {
            for byte in edge.low...edge.high { readable[Int(byte)] = true }
        }
        return (0..<256).reduce(0) { count, byte in
            readable[byte] ? count + vocabulary.firstByteStart[byte + 1] - vocabulary.firstByteStart[byte] : count
        }
    }
}
