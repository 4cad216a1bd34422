/// Cache positions filled when the grammar is compiled, so that no decoding pays for them.
///
/// A first visit walks every token whose first byte the position can read. Inside a JSON
/// string that is almost the whole vocabulary (SmolLM2: 48,857 of 49,152 tokens, about
/// 1–3 ms), and every run meets it at its first thought; elsewhere a first visit walks a few
/// hundred tokens (tens of µs). So the compiler fills the level-1 entries of the *wide*
/// positions — nodes that can start a quarter of the vocabulary or more — for every place
/// their rule returns to (``GrammarAutomaton/equivalentNodes(horizon:)`` collapses the copies
/// of a bounded text into one), and the deeper levels that settle the tokens closing the
/// text for each place the text is written (`","conclusion":"` after a thought). The copies
/// near the end of a bounded repetition, met only by texts that reach their length limit,
/// are left to their first visit.
extension CompiledGrammar {
    /// Fills the cache entries of the wide positions; returns how many it filled.
    @discardableResult
    func precomputeWidePositions(horizon: Int) -> Int {
        let nodes = automaton.nodes
        let nodeRule = automaton.nodeRule
        var nearEnd = [Bool](repeating: false, count: nodes.count)
        for copy in automaton.repetitionCopies where copy.remaining < horizon {
            for node in copy.start..<copy.end { nearEnd[Int(node)] = true }
        }
        // Where each rule returns to: the return nodes of its calls; a tail call returns
        // wherever its caller does.
        let ruleCount = automaton.ruleStart.count
        var returns = [Set<Int32>](repeating: [], count: ruleCount)
        returns[Int(automaton.rootRule)].insert(FrameTable.root)
        var tailCallers = [[Int32]](repeating: [], count: ruleCount)
        for (index, node) in nodes.enumerated() {
            for call in node.calls {
                if let returnNode = call.returnNode {
                    if !nearEnd[Int(returnNode)] { returns[Int(call.rule)].insert(cacheNode[Int(returnNode)]) }
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
        let wide = max(1, vocabulary.sortedIDs.count / 4)
        var filled = 0
        for node in nodes.indices where cacheNode[node] == Int32(node) && !nearEnd[node] && !nodes[node].byteEdges.isEmpty {
            guard firstBytePositionCount(of: Int32(node)) >= wide else { continue }
            for returnNode in returns[Int(nodeRule[node])].sorted() {
                filled += fill(TokenMaskCache.Key(node: Int32(node), returns: [returnNode]), returns: returns, nodeRule: nodeRule)
            }
        }
        return filled
    }

    /// Fills `key`'s entry and, while it leaves tokens uncertain, the deeper levels for every
    /// place the last return node's rule returns to (the tokens that close a text: `",`).
    private func fill(_ key: TokenMaskCache.Key, returns: [Set<Int32>], nodeRule: [Int32]) -> Int {
        let entry = cacheEntry(key)
        guard let last = key.returns.last, last != FrameTable.root, !entry.uncertain.isEmpty,
              key.returns.count < TokenMaskCache.maximumContextDepth else { return 1 }
        var filled = 1
        for returnNode in returns[Int(nodeRule[Int(last)])].sorted() {
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
