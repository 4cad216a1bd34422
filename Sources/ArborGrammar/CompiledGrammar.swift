/// A grammar compiled for one tokenizer vocabulary: the byte-level automaton, the sorted
/// vocabulary, and the token-mask cache — the second of the three grammar stages.
///
/// Compile once per workflow and tokenizer; create a cheap ``GrammarMatcher`` per decoding.
/// It is immutable apart from its internal cache, and safe to share between threads.
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
    /// The nodes of the copies near the end of a bounded repetition, each with its place
    /// in the first copy (see ``GrammarAutomaton/nearEndCopies(horizon:)``).
    let nearEndCopies: [Int32: GrammarAutomaton.CopyPlace]

    /// When the token-mask cache is filled.
    public enum MaskCacheFill: Sendable {
        /// When the grammar is compiled: every position a decoding can reach, so that no
        /// decoding computes a token set (the default; see `CompiledGrammar+Precompute.swift`).
        case atCompile
        /// On each position's first use: a quicker compile, and the first decoding pays.
        case onFirstUse
    }

    public init(_ grammar: Grammar, vocabulary: TokenVocabulary, cacheFill: MaskCacheFill = .atCompile) throws(GrammarCompileError) {
        self.grammar = grammar
        self.vocabulary = vocabulary
        automaton = try GrammarAutomaton(grammar)
        completionDistances = CompletionDistances(automaton)
        let horizon = vocabulary.longestToken + 1
        let equivalent = automaton.equivalentNodes(horizon: horizon)
        cacheNode = equivalent
        hasEquivalentNodes = equivalent.indices.contains { equivalent[$0] != Int32($0) }
        nearEndCopies = automaton.nearEndCopies(horizon: horizon)
        if cacheFill == .atCompile { precomputeReachablePositions(horizon: horizon) }
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
        var positions: [Int]
        if key.returns.count == 1 {
            positions = firstBytePositions(of: key.node)
        } else {
            positions = cacheEntry(TokenMaskCache.Key(node: key.node, returns: Array(key.returns.dropLast()))).uncertain
        }
        var accepted: [Int32] = []
        var uncertain: [Int] = []
        var derived = false
        if let returnNode = key.returns.first, returnNode >= 0, let place = nearEndCopies[returnNode] {
            // The rule returns into a copy near the end of a bounded repetition (the last
            // characters a bounded string may hold): a token shorter than the copies left
            // cannot reach the end, so it fares as from the same place in the first copy.
            // Take those outcomes from there and walk only the longer tokens.
            var firstKey = key
            firstKey.returns[0] = place.firstCopyNode
            let first = cacheEntry(firstKey)
            var firstAccepted = [UInt32](repeating: 0, count: vocabulary.maskWordCount)
            firstAccepted.withUnsafeMutableBufferPointer { first.addAccepted(to: $0.baseAddress!) }
            var longer: [Int] = []
            var next = 0
            for position in positions {
                if vocabulary.tokenLength(atSortedPosition: position) >= place.remaining {
                    longer.append(position)
                    continue
                }
                while next < first.uncertain.count, first.uncertain[next] < position { next += 1 }
                let id = vocabulary.sortedIDs[position]
                if next < first.uncertain.count, first.uncertain[next] == position {
                    uncertain.append(position)
                } else if firstAccepted[Int(id) >> 5] & (1 << (UInt32(id) & 31)) != 0 {
                    accepted.append(id)
                }
            }
            positions = longer
            derived = true
        }
        var frames = FrameTable()
        var frame = key.returns.last == FrameTable.root ? FrameTable.root : FrameTable.context
        for returnNode in key.returns.reversed() where returnNode != FrameTable.root {
            frame = frames.intern(FrameTable.Frame(returnNode: returnNode, parent: frame))
        }
        let start = ParseState(configurations: [ParseConfiguration(node: key.node, frame: frame, budgetUsed: 0)],
                               isComplete: false, touchesContext: false)
        walker.walk(from: start, positions: positions, frames: &frames, simulating: true) { position, id, outcome in
            switch outcome {
            case .accepted: accepted.append(id)
            case .rejected: break
            case .uncertain: uncertain.append(position)
            }
        }
        if derived { uncertain.sort() }
        return TokenMaskCache.Entry(accepted: accepted, uncertain: uncertain, maskWordCount: vocabulary.maskWordCount)
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
