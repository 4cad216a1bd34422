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

    public init(_ grammar: Grammar, vocabulary: TokenVocabulary) throws(GrammarCompileError) {
        self.grammar = grammar
        self.vocabulary = vocabulary
        automaton = try GrammarAutomaton(grammar)
        completionDistances = CompletionDistances(automaton)
        let equivalent = automaton.equivalentNodes(horizon: vocabulary.longestToken + 1)
        cacheNode = equivalent
        hasEquivalentNodes = equivalent.indices.contains { equivalent[$0] != Int32($0) }
        precomputeWidePositions(horizon: vocabulary.longestToken + 1)
    }

    /// The number of automaton nodes (a size measure for reports and benchmarks).
    public var automatonNodeCount: Int { automaton.nodes.count }

    /// How many grammar positions have a cached token set so far.
    public var cachedPositionCount: Int { cache.count }

    var walker: TokenWalker {
        TokenWalker(automaton: automaton, vocabulary: vocabulary, equivalentNodes: hasEquivalentNodes ? cacheNode : nil)
    }

    /// The cached token sets for a configuration at `key.node` with the return nodes
    /// `key.returns` below it (see ``TokenMaskCache``); deeper levels refine the
    /// uncertain tokens of the shallower ones.
    func cacheEntry(_ key: TokenMaskCache.Key) -> TokenMaskCache.Entry {
        cache.entry(key) {
            let positions: [Int]
            if key.returns.count == 1 {
                positions = firstBytePositions(of: key.node)
            } else {
                positions = cacheEntry(TokenMaskCache.Key(node: key.node, returns: Array(key.returns.dropLast()))).uncertain
            }
            var frames = FrameTable()
            var frame = key.returns.last == FrameTable.root ? FrameTable.root : FrameTable.context
            for returnNode in key.returns.reversed() where returnNode != FrameTable.root {
                frame = frames.intern(FrameTable.Frame(returnNode: returnNode, parent: frame))
            }
            let start = ParseState(configurations: [ParseConfiguration(node: key.node, frame: frame, budgetUsed: 0)],
                                   isComplete: false, touchesContext: false)
            var entry = TokenMaskCache.Entry(acceptedMask: [], acceptedIDs: [], uncertain: [])
            if key.returns.count == 1 { entry.acceptedMask = [UInt32](repeating: 0, count: vocabulary.maskWordCount) }
            walker.walk(from: start, positions: positions, frames: &frames, simulating: true) { position, id, outcome in
                switch outcome {
                case .accepted:
                    if key.returns.count == 1 {
                        entry.acceptedMask[Int(id) >> 5] |= 1 << (UInt32(id) & 31)
                    } else {
                        entry.acceptedIDs.append(id)
                    }
                case .rejected: break
                case .uncertain: entry.uncertain.append(position)
                }
            }
            return entry
        }
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
