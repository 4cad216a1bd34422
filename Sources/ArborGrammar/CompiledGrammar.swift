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

    public init(_ grammar: Grammar, vocabulary: TokenVocabulary) throws(GrammarCompileError) {
        self.grammar = grammar
        self.vocabulary = vocabulary
        automaton = try GrammarAutomaton(grammar)
    }

    /// The number of automaton nodes (a size measure for reports and benchmarks).
    public var automatonNodeCount: Int { automaton.nodes.count }

    /// How many grammar positions have a cached token set so far.
    public var cachedPositionCount: Int { cache.count }

    var walker: TokenWalker { TokenWalker(automaton: automaton, vocabulary: vocabulary) }

    /// The cached token sets for a configuration at `node` whose rule returns to `returnNode`
    /// (``FrameTable/root`` when the rule is the root).
    func cacheEntry(node: Int32, returnNode: Int32) -> TokenMaskCache.Entry {
        cache.entry(node: node, returnNode: returnNode) {
            var frames = FrameTable()
            let frame = returnNode == FrameTable.root
                ? FrameTable.root
                : frames.intern(FrameTable.Frame(returnNode: returnNode, parent: FrameTable.context))
            let start = ParseState(configurations: [ParseConfiguration(node: node, frame: frame, budgetUsed: 0)],
                                   isComplete: false, touchesContext: false)
            var accepted = [UInt32](repeating: 0, count: vocabulary.maskWordCount)
            var uncertain: [Int] = []
            walker.walk(from: start, positions: firstBytePositions(of: node), frames: &frames, simulating: true) { position, id, outcome in
                switch outcome {
                case .accepted: accepted[Int(id) >> 5] |= 1 << (UInt32(id) & 31)
                case .rejected: break
                case .uncertain: uncertain.append(position)
                }
            }
            return TokenMaskCache.Entry(accepted: accepted, uncertain: uncertain)
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
