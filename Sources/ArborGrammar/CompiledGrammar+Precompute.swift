import Foundation

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
/// The entries are independent, so they are filled on every processor.
///
/// Copies of a repetition that no token can tell apart share one position
/// (``GrammarAutomaton/equivalentNodes(horizon:)``). A node in one of the last copies, or a
/// return into one, where a long token could use up the repetition, takes the outcomes of
/// the tokens too short to do so from the first copy and walks only the longer ones — at
/// most return places none, since a token must first finish the rule it is in
/// (`nearEndEntry` in `CompiledGrammar.swift`).
extension CompiledGrammar {
    /// Fills the cache entries of every reachable position.
    func precomputeReachablePositions() {
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
        var firstCopyKeys: [TokenMaskCache.Key] = []
        var lastCopyKeys: [TokenMaskCache.Key] = []
        for node in nodes.indices where cacheNode[node] == Int32(node) && !nodes[node].byteEdges.isEmpty {
            for returnNode in sortedReturns[Int(nodeRule[node])] {
                let key = TokenMaskCache.Key(node: Int32(node), returns: [returnNode])
                if nearEndCopies[Int32(node)] != nil || (returnNode >= 0 && nearEndCopies[returnNode] != nil) {
                    lastCopyKeys.append(key)
                } else {
                    firstCopyKeys.append(key)
                }
            }
        }
        // An entry near a chain's end takes most of its outcomes from the first copy's: fill
        // those first, so that no two threads compute one at the same time.
        fillConcurrently(firstCopyKeys, returns: sortedReturns, nodeRule: nodeRule)
        fillConcurrently(lastCopyKeys, returns: sortedReturns, nodeRule: nodeRule)
    }

    /// Fills the entries of `keys` (and their deeper levels) on every processor: the cache
    /// takes entries from any thread, and the keys' entries are independent. Threads take
    /// the next few keys as they finish, so one that another process slows down holds no
    /// share of the work back.
    private func fillConcurrently(_ keys: [TokenMaskCache.Key], returns: [[Int32]], nodeRule: [Int32]) {
        let workers = min(keys.count, ProcessInfo.processInfo.activeProcessorCount)
        guard workers > 1 else {
            for key in keys { fill(key, returns: returns, nodeRule: nodeRule) }
            return
        }
        let queue = KeyQueue(count: keys.count, batch: 8)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let batch = queue.next() {
                for index in batch { fill(keys[index], returns: returns, nodeRule: nodeRule) }
            }
        }
    }

    /// Fills `key`'s entry and, while it leaves tokens uncertain, the deeper levels for every
    /// place the last return node's rule returns to (the tokens that close a text: `",`).
    private func fill(_ key: TokenMaskCache.Key, returns: [[Int32]], nodeRule: [Int32]) {
        let entry = cacheEntry(key)
        guard let last = key.returns.last, last != FrameTable.root, !entry.uncertain.isEmpty,
              key.returns.count < TokenMaskCache.maximumContextDepth else { return }
        for returnNode in returns[Int(nodeRule[Int(last)])] {
            fill(TokenMaskCache.Key(node: key.node, returns: key.returns + [returnNode]), returns: returns, nodeRule: nodeRule)
        }
    }
}

/// Hands out consecutive batches of indices to the threads filling the cache.
private final class KeyQueue: @unchecked Sendable {
    // @unchecked: `taken` is only read or written while holding `lock`.
    private let lock = NSLock()
    private var taken = 0
    private let count: Int
    private let batch: Int

    init(count: Int, batch: Int) {
        self.count = count
        self.batch = batch
    }

    func next() -> Range<Int>? {
        lock.lock()
        defer { lock.unlock() }
        guard taken < count else { return nil }
        let range = taken..<min(taken + batch, count)
        taken = range.upperBound
        return range
    }
}
