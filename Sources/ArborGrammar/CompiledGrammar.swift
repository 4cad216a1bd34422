/// A grammar compiled for one tokenizer vocabulary: the byte-level automaton, the sorted
/// vocabulary, and the token-mask cache — the second of the three grammar stages.
///
/// Compile once per workflow and tokenizer; create a cheap ``GrammarMatcher`` per decoding.
/// Compiling fills the token-mask cache for every position a decoding can reach, so even
/// the first decoding's masks are cache lookups (see ``MaskCacheFill``). It is immutable
/// apart from its internal cache, and safe to share between threads.
///
/// ```swift
/// let compiled = try CompiledGrammar(grammar, vocabulary: vocabulary)
/// var matcher = GrammarMatcher(compiled)
/// ```
public final class CompiledGrammar: Sendable {
    public let grammar: Grammar
    public let vocabulary: TokenVocabulary
    let automaton: GrammarAutomaton
    let cache = TokenMaskCache()
    let completionDistances: CompletionDistances
    /// The node each node's cache positions are stored under: nodes no token can tell apart
    /// share them (see ``GrammarAutomaton/equivalentNodes(horizon:)``).
    let cacheNode: [Int32]
    private let hasEquivalentNodes: Bool
    /// The nodes of the copies near the end of a repetition chain, each with its place in
    /// the chain's first copy (see ``GrammarAutomaton/nearEndCopies(horizon:)``).
    let nearEndCopies: [Int32: GrammarAutomaton.CopyPlace]
    /// Per node, the fewest bytes any input reads before it leaves the node's rule (through
    /// budgeted parts, never through a hole): how far a token is from the return node.
    let bytesToLeaveRule: [Int32]

    /// When the token-mask cache is filled.
    public enum MaskCacheFill: Sendable {
        /// When the grammar is compiled: every position a decoding can reach, so that no
        /// decoding computes a token set (the default; see `CompiledGrammar+Precompute.swift`).
        case atCompile
        /// On each position's first use: a quicker compile, and the first decoding pays.
        case onFirstUse
    }

    /// Whether the mask cache was read from a ``GrammarDiskCache`` file instead of filled.
    public let masksReadFromDisk: Bool

    /// Compiles `grammar` over `vocabulary`. With `diskCache` and `.atCompile`, the filled
    /// mask cache is read from its file when an earlier compile wrote one, and written
    /// there otherwise.
    public init(_ grammar: Grammar, vocabulary: TokenVocabulary, cacheFill: MaskCacheFill = .atCompile,
                diskCache: GrammarDiskCache? = nil) throws(GrammarCompileError) {
        self.grammar = grammar
        self.vocabulary = vocabulary
        automaton = try GrammarAutomaton(grammar)
        completionDistances = CompletionDistances(automaton)
        let horizon = vocabulary.longestToken + 1
        let equivalent = automaton.equivalentNodes(horizon: horizon)
        cacheNode = equivalent
        hasEquivalentNodes = equivalent.indices.contains { equivalent[$0] != Int32($0) }
        nearEndCopies = automaton.nearEndCopies(horizon: horizon)
        bytesToLeaveRule = CompletionDistances(automaton, throughBudget: true).toRuleEnd
        guard cacheFill == .atCompile else {
            masksReadFromDisk = false
            return
        }
        let file = diskCache?.path(automaton: automaton, vocabulary: vocabulary)
        let bounds = GrammarDiskCache.Bounds(automaton: automaton, vocabulary: vocabulary)
        let loaded = file.flatMap { diskCache?.load($0, fitting: bounds) }
        masksReadFromDisk = loaded != nil
        if let loaded {
            cache.insert(loaded)
            return
        }
        precomputeReachablePositions()
        if let diskCache, let file { diskCache.save(cache.allEntries, to: file) }
    }

    /// The number of automaton nodes (a size measure for reports and benchmarks).
    public var automatonNodeCount: Int { automaton.nodes.count }

    /// How many grammar positions have a cached token set so far.
    public var cachedPositionCount: Int { cache.count }

    /// The bytes the cached token sets hold so far (their arrays and keys, not the
    /// dictionary's own overhead): the memory the mask cache costs.
    public var cachedByteCount: Int { cache.byteCount }

    var walker: TokenWalker {
        TokenWalker(automaton: automaton, vocabulary: vocabulary, equivalentNodes: hasEquivalentNodes ? cacheNode : nil)
    }

    /// The cached token sets for a configuration at `key.node` with the return nodes
    /// `key.returns` below it (see ``TokenMaskCache``); deeper levels refine the
    /// uncertain tokens of the shallower ones.
    func cacheEntry(_ key: TokenMaskCache.Key) -> TokenMaskCache.Entry {
        cache.entry(key) { computeEntry(key) }
    }

    private func computeEntry(_ key: TokenMaskCache.Key) -> TokenMaskCache.Entry {
        if let place = nearEndCopies[key.node] {
            var firstKey = key
            firstKey.node = place.firstCopyNode
            return nearEndEntry(key, from: firstKey, sharedBelow: place.remaining)
        }
        if let returnNode = key.returns.first, returnNode >= 0, let place = nearEndCopies[returnNode] {
            // A token reaches the return node only after the bytes that finish the node's rule.
            var firstKey = key
            firstKey.returns[0] = place.firstCopyNode
            let toReturn = Int(min(bytesToLeaveRule[Int(key.node)], Int32(vocabulary.longestToken + 1)))
            return nearEndEntry(key, from: firstKey, sharedBelow: place.remaining + toReturn)
        }
        var accepted: [Int32] = []
        var uncertain: [Int] = []
        walk(key, positions: candidatePositions(key)) { position, id, outcome in
            switch outcome {
            case .accepted: accepted.append(id)
            case .rejected: break
            case .uncertain: uncertain.append(position)
            }
        }
        return TokenMaskCache.Entry(accepted: accepted, uncertain: uncertain, maskWordCount: vocabulary.maskWordCount)
    }

    /// The entry of a node in a copy near the end of a repetition chain, or of a rule that
    /// returns into one (the last characters a bounded string may hold), from `firstKey`:
    /// the same place in the chain's first copy.
    ///
    /// A token shorter than `sharedBelow` bytes cannot use up the copies left, so it fares
    /// as from the first copy: the outcomes of the short tokens come from that entry, and
    /// only the longer tokens are walked — none at all when no token is long enough, which
    /// is most return places, since a token must first finish the rule it is in.
    private func nearEndEntry(_ key: TokenMaskCache.Key, from firstKey: TokenMaskCache.Key, sharedBelow: Int) -> TokenMaskCache.Entry {
        let first = cacheEntry(firstKey)
        if sharedBelow > vocabulary.longestToken { return first }
        let positions = candidatePositions(key)
        var fromFirst = [UInt32](repeating: 0, count: vocabulary.maskWordCount)
        fromFirst.withUnsafeMutableBufferPointer { first.addAccepted(to: $0.baseAddress!) }
        var accepted = key.returns.count == 1 ? fromFirst : [UInt32](repeating: 0, count: vocabulary.maskWordCount)
        var uncertain: [Int] = []
        var longer: [Int] = []
        vocabulary.sortedOffsets.withUnsafeBufferPointer { offsets in
            let sortedIDs = vocabulary.sortedIDs
            func isLong(_ position: Int) -> Bool { Int(offsets[position + 1] - offsets[position]) >= sharedBelow }
            if key.returns.count == 1 {
                // Level 1 decides the same tokens from both places (those starting with a
                // byte the node reads; a copy's node reads what the first copy's does): the
                // first copy's sets without the long tokens.
                uncertain = first.uncertain.filter { !isLong($0) }
                for position in positions where isLong(position) {
                    let id = sortedIDs[position]
                    accepted[Int(id) >> 5] &= ~(1 << (UInt32(id) & 31))
                    longer.append(position)
                }
            } else {
                // Deeper, the levels above left the same short tokens uncertain on both sides.
                var next = 0
                for position in positions {
                    if isLong(position) {
                        longer.append(position)
                        continue
                    }
                    while next < first.uncertain.count, first.uncertain[next] < position { next += 1 }
                    let id = sortedIDs[position]
                    if next < first.uncertain.count, first.uncertain[next] == position {
                        uncertain.append(position)
                    } else {
                        accepted[Int(id) >> 5] |= fromFirst[Int(id) >> 5] & (1 << (UInt32(id) & 31))
                    }
                }
            }
        }
        walk(key, positions: longer) { position, id, outcome in
            switch outcome {
            case .accepted: accepted[Int(id) >> 5] |= 1 << (UInt32(id) & 31)
            case .rejected: break
            case .uncertain: uncertain.append(position)
            }
        }
        uncertain.sort()
        return TokenMaskCache.Entry(acceptedMask: accepted, uncertain: uncertain)
    }

    /// Simulates the tokens at `positions` from `key`'s node with its return nodes below it,
    /// then the root or an unknown stack.
    private func walk(_ key: TokenMaskCache.Key, positions: [Int], visit: (_ position: Int, _ id: Int32, _ outcome: TokenWalker.Outcome) -> Void) {
        guard !positions.isEmpty else { return }
        var frames = FrameTable()
        var frame = key.returns.last == FrameTable.root ? FrameTable.root : FrameTable.context
        for returnNode in key.returns.reversed() where returnNode != FrameTable.root {
            frame = frames.intern(FrameTable.Frame(returnNode: returnNode, parent: frame))
        }
        let start = ParseState(configurations: [ParseConfiguration(node: key.node, frame: frame, budgetUsed: 0)],
                               isComplete: false, touchesContext: false)
        walker.walk(from: start, positions: positions, frames: &frames, simulating: true, visit: visit)
    }

    /// The tokens `key`'s entry decides: at level 1 those whose first byte the node can
    /// read, deeper the ones the level above left uncertain.
    private func candidatePositions(_ key: TokenMaskCache.Key) -> [Int] {
        if key.returns.count == 1 { return firstBytePositions(of: key.node) }
        return cacheEntry(TokenMaskCache.Key(node: key.node, returns: Array(key.returns.dropLast()))).uncertain
    }

    /// Sorted-vocabulary positions of the tokens whose first byte `node` can read.
    func firstBytePositions(of node: Int32) -> [Int] {
        var readable = [Bool](repeating: false, count: 256)
        for edge in automaton.nodes[Int(node)].byteEdges {
            for byte in edge.low...edge.high { readable[Int(byte)] = true }
        }
        var positions: [Int] = []
        for byte in 0..<256 where readable[byte] {
            positions += vocabulary.firstByteStart[byte]..<vocabulary.firstByteStart[byte + 1]
        }
        return positions
    }
}
