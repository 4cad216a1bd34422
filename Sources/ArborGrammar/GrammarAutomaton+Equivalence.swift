/// Nodes that no token can tell apart, so that their token sets can be cached once.
///
/// A bounded repetition is unrolled into copies of its body (``GrammarAutomaton``), and a
/// string of at most 600 characters is 600 calls of the character rule, each returning to
/// its own node (as is a string of at least 200: 200 mandatory calls before a loop). Every
/// one of those return nodes would be a new mask-cache position, whose first visit walks
/// the whole vocabulary, although the copies behave alike: from copy k, with r copies of
/// its chain after it, the bytes that can follow are those that can follow the chain's
/// first copy, as long as fewer than r copies are used up. A token of at most `horizon`
/// bytes uses up at most `horizon` copies, so copies with at least `horizon` copies after
/// them are equivalent for every token.
extension GrammarAutomaton {
    /// For each node, a node with the same outcome for every input of at most `horizon`
    /// bytes, whatever the stack (the node itself when there is none earlier): the same
    /// place in the first copy of each enclosing repetition chain, when both copies have
    /// at least `horizon` copies after them.
    ///
    /// ```swift
    /// let equivalent = automaton.equivalentNodes(horizon: vocabulary.longestToken + 1)
    /// equivalent[Int(node)]   // use as the cache key instead of `node`
    /// ```
    func equivalentNodes(horizon: Int) -> [Int32] {
        var jump = Array(0..<Int32(nodes.count))
        for copy in repetitionCopies where copy.remaining >= horizon && copy.start != copy.firstStart {
            // The outermost repetition jumps furthest back; keep the earliest target.
            let shift = copy.start - copy.firstStart
            for node in copy.start..<copy.end {
                jump[Int(node)] = min(jump[Int(node)], node - shift)
            }
        }
        // Targets lie earlier, so a forward pass follows jumps to their end.
        var equivalent = jump
        for node in equivalent.indices where jump[node] != Int32(node) {
            equivalent[node] = equivalent[Int(jump[node])]
        }
        return equivalent
    }
}

extension GrammarAutomaton {
    /// A node of a copy near the end of a repetition chain, seen from the chain's first copy.
    struct CopyPlace: Sendable {
        /// The same place in the chain's first copy.
        var firstCopyNode: Int32
        /// The copies of the chain after the node's own copy.
        var remaining: Int
    }

    /// The nodes of the copies with fewer than `horizon` copies of their chain after them
    /// (the ones ``equivalentNodes(horizon:)`` cannot share), the first copy of each chain
    /// excepted, each with the same place in the first copy. From such a node an input
    /// shorter than `remaining` bytes cannot use up the copies left (every copy reads at
    /// least one byte), so it has the same outcome as from the first copy's node.
    ///
    /// ```swift
    /// // "\"" char{0,40} "\"": the return node after the 38th character
    /// nearEnd[returnNode]   // CopyPlace(firstCopyNode: return node after the 1st, remaining: 2)
    /// ```
    func nearEndCopies(horizon: Int) -> [Int32: CopyPlace] {
        var places: [Int32: CopyPlace] = [:]
        // Inner copies come first, so a node of nested copies takes its innermost one.
        for copy in repetitionCopies where copy.remaining < horizon && copy.start != copy.firstStart {
            let shift = copy.start - copy.firstStart
            for node in copy.start..<copy.end where places[node] == nil {
                places[node] = CopyPlace(firstCopyNode: node - shift, remaining: copy.remaining)
            }
        }
        return places
    }
}

extension GrammarAutomaton {
    /// `state` with every node and frame return node replaced by its equivalent (from
    /// ``equivalentNodes(horizon:)``): the same outcome for any input of at most `horizon`
    /// bytes. A token walk maps each new state, so the copies of a repetition collapse
    /// into one state and its transitions are computed once, not once per copy.
    /// `memo` remembers mapped frames between calls of one walk.
    func mapped(_ state: ParseState, to equivalent: [Int32], frames: inout FrameTable, memo: inout [Int32: Int32]) -> ParseState {
        func mappedFrame(_ frame: Int32) -> Int32 {
            guard frame >= 0 else { return frame }
            if let known = memo[frame] { return known }
            let original = frames[frame]
            let parent = mappedFrame(original.parent)
            let result = frames.intern(FrameTable.Frame(returnNode: equivalent[Int(original.returnNode)], parent: parent))
            memo[frame] = result
            return result
        }
        var configurations = state.configurations.map { configuration in
            ParseConfiguration(node: equivalent[Int(configuration.node)], frame: mappedFrame(configuration.frame),
                               budgetUsed: configuration.budgetUsed)
        }
        configurations.sort()
        var unique: [ParseConfiguration] = []
        unique.reserveCapacity(configurations.count)
        for configuration in configurations where unique.last != configuration { unique.append(configuration) }
        return ParseState(configurations: unique, isComplete: state.isComplete, touchesContext: state.touchesContext)
    }
}
