import ArborSchema

/// One decoding's position in a ``CompiledGrammar`` — the third grammar stage.
///
/// The matcher reads bytes: a token is its byte string, so tokens that span several
/// grammar terminals, or end in the middle of a UTF-8 character, need no special case.
/// Every accepted token, inserted text and filled hole is one step of history, and
/// ``rollback(_:)`` undoes steps. A matcher is a value: copy it to branch.
///
/// **Mask layout.** ``fillNextTokenMask(into:)`` writes ``TokenVocabulary/maskWordCount``
/// words; token `id` is allowed when bit `id % 32` (least significant first) of word
/// `id / 32` is set. Bits past the vocabulary's end are zero.
///
/// **Holes.** When the grammar reaches a ``GrammarExpression/hole(name:)``,
/// ``pendingHole`` names it; the runtime inserts the content (a tool's JSON result) with
/// ``fillHole(with:)`` (or ``acceptText(_:)``), and generation continues after it.
///
/// ```swift
/// var matcher = GrammarMatcher(compiled)
/// var mask = [UInt32](repeating: 0, count: compiled.vocabulary.maskWordCount)
/// mask.withUnsafeMutableBufferPointer { matcher.fillNextTokenMask(into: $0.baseAddress!) }
/// _ = matcher.acceptToken(sampled)
/// let forced = matcher.forcedBytes()   // e.g. `{"thought":"` — insert without sampling
/// ```
public struct GrammarMatcher: Sendable {
    public let compiled: CompiledGrammar
    private(set) var frames = FrameTable()
    /// `history[0]` is the start; the last entry is the current state.
    private var history: [Step]

    private struct Step: Sendable {
        var state: ParseState
        /// An end token was accepted: nothing more may follow.
        var terminated: Bool
    }

    public init(_ compiled: CompiledGrammar) {
        self.compiled = compiled
        let initial = compiled.automaton.initialState(frames: &frames)
        history = [Step(state: initial, terminated: false)]
    }

    var current: ParseState { history[history.count - 1].state }

    /// Whether the text so far is a complete sentence of the grammar (an end token may follow).
    public var isComplete: Bool { current.isComplete && !isTerminated }

    /// Whether an end token has been accepted.
    public var isTerminated: Bool { history[history.count - 1].terminated }

    /// The name of the hole the runtime must fill now, if the grammar is at one.
    public var pendingHole: String? { isTerminated ? nil : compiled.automaton.pendingHole(current) }

    /// How many steps can be rolled back.
    public var stepCount: Int { history.count - 1 }

    /// Accepts token `id` if the grammar allows it here; returns false (and changes
    /// nothing) otherwise. An end token is allowed only when ``isComplete``.
    @discardableResult
    public mutating func acceptToken(_ id: Int) -> Bool {
        let vocabulary = compiled.vocabulary
        guard !isTerminated, vocabulary.tokens.indices.contains(id) else { return false }
        if vocabulary.endTokenIDs.contains(id) {
            guard current.isComplete else { return false }
            history.append(Step(state: current, terminated: true))
            return true
        }
        guard !vocabulary.specialTokenIDs.contains(id), !vocabulary.tokens[id].isEmpty else { return false }
        return advance(over: vocabulary.tokens[id])
    }

    /// Accepts text the runtime inserts (forced text, or a hole's content when
    /// ``pendingHole`` is set) as one step; returns false and changes nothing if the
    /// grammar does not allow it.
    @discardableResult
    public mutating func acceptText(_ bytes: [UInt8]) -> Bool {
        guard !isTerminated else { return false }
        if pendingHole != nil, fillHole(with: bytes) { return true }
        return advance(over: bytes)
    }

    /// Fills the pending hole with `json`, which must be one complete JSON value; returns
    /// false and changes nothing when there is no hole or the text is not JSON.
    @discardableResult
    public mutating func fillHole(with json: [UInt8]) -> Bool {
        guard !isTerminated, pendingHole != nil, (try? JSONValue(parsing: json)) != nil else { return false }
        let next = compiled.automaton.stepOverHole(current, frames: &frames)
        guard !next.isDead else { return false }
        history.append(Step(state: next, terminated: false))
        return true
    }

    /// Undoes the last `count` steps (tokens, texts, holes); fewer if there are fewer.
    public mutating func rollback(_ count: Int) {
        history.removeLast(min(max(0, count), history.count - 1))
    }

    /// Writes the allowed next tokens as a bitmask (see the layout above) into
    /// `mask`, which must hold ``TokenVocabulary/maskWordCount`` words.
    public mutating func fillNextTokenMask(into mask: UnsafeMutablePointer<UInt32>) {
        let vocabulary = compiled.vocabulary
        let words = vocabulary.maskWordCount
        mask.update(repeating: 0, count: words)
        guard !isTerminated else { return }
        let state = current
        if state.isComplete {
            for id in vocabulary.endTokenIDs { mask[id >> 5] |= 1 << (UInt32(id) & 31) }
        }
        let automaton = compiled.automaton
        let walker = compiled.walker
        for configuration in state.configurations where !automaton.nodes[Int(configuration.node)].byteEdges.isEmpty {
            let cacheNode = compiled.cacheNode
            var key = TokenMaskCache.Key(node: cacheNode[Int(configuration.node)], returns: [])
            var frame = configuration.frame
            var uncertain: [Int] = []
            while key.returns.count < TokenMaskCache.maximumContextDepth {
                if frame == FrameTable.root {
                    key.returns.append(FrameTable.root)
                } else {
                    key.returns.append(cacheNode[Int(frames[frame].returnNode)])
                    frame = frames[frame].parent
                }
                let entry = compiled.cacheEntry(key)
                entry.addAccepted(to: mask)
                uncertain = entry.uncertain
                if uncertain.isEmpty || key.returns.last == FrameTable.root { break }
            }
            guard !uncertain.isEmpty else { continue }
            let single = ParseState(configurations: [configuration], isComplete: false, touchesContext: false)
            walker.walk(from: single, positions: uncertain, frames: &frames, simulating: false) { _, id, outcome in
                if case .accepted = outcome { mask[Int(id) >> 5] |= 1 << (UInt32(id) & 31) }
            }
        }
    }

    /// The allowed next tokens as a new bitmask array.
    public mutating func nextTokenMask() -> [UInt32] {
        var mask = [UInt32](repeating: 0, count: compiled.vocabulary.maskWordCount)
        mask.withUnsafeMutableBufferPointer { fillNextTokenMask(into: $0.baseAddress!) }
        return mask
    }

    /// The bytes the grammar forces next (jump-forward): while exactly one byte can
    /// follow and the grammar can neither end nor take a hole, that byte. Does not advance;
    /// accept the bytes (tokenised as the model would write them) to move on.
    public mutating func forcedBytes(limit: Int = 256) -> [UInt8] {
        guard !isTerminated else { return [] }
        var state = current
        var bytes: [UInt8] = []
        while bytes.count < limit, let byte = compiled.automaton.forcedByte(state) {
            bytes.append(byte)
            state = compiled.automaton.step(state, byte, frames: &frames)
        }
        return bytes
    }

    /// The fewest bytes that make the text complete from here (0 when it is complete); nil
    /// when every way on needs a hole's text or tool-call budget.
    public var shortestCompletionLength: Int? {
        guard !isTerminated else { return nil }
        let length = compiled.completionDistances.remaining(current, frames: frames)
        return length < CompletionDistances.unreachable ? Int(length) : nil
    }

    /// The bytes of a shortest completion (see ``shortestCompletionLength``), without
    /// advancing: what the runtime writes when the token budget is about to run out, so that
    /// a decoding cut short still ends in a valid value (an open string is closed, optional
    /// members are left out, arrays end at their `minItems`). Nil when there is none within
    /// `limit` bytes.
    ///
    /// ```swift
    /// // after `{"name":"Ada`, with "name" and "age" required:
    /// matcher.shortestCompletion()   // `","age":0}`
    /// ```
    public mutating func shortestCompletion(limit: Int = 4096) -> [UInt8]? {
        guard let length = shortestCompletionLength, length <= limit else { return nil }
        return shortestBytes(length: length, to: .textEnd)
    }

    /// Where a shortest path leads: the end of the text, or the pending tool call's hole.
    private enum PathEnd { case textEnd, hole }

    /// The bytes of a path of `length` bytes along which the distance to `end` falls by one
    /// per byte to 0, taking the lowest byte at each step, without advancing.
    private mutating func shortestBytes(length: Int, to end: PathEnd) -> [UInt8]? {
        let distances = compiled.completionDistances
        func cost(_ configuration: ParseConfiguration, _ frames: FrameTable) -> Int32 {
            end == .textEnd ? distances.remaining(configuration, frames: frames) : distances.remainingToHole(configuration, frames: frames)
        }
        func cost(_ state: ParseState, _ frames: FrameTable) -> Int32 {
            end == .textEnd ? distances.remaining(state, frames: frames) : distances.remainingToHole(state, frames: frames)
        }
        let automaton = compiled.automaton
        var state = current
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        var left = Int32(length)
        while left > 0 {
            var chosen: UInt8?
            search: for configuration in state.configurations {
                for edge in automaton.nodes[Int(configuration.node)].byteEdges {
                    let next = ParseConfiguration(node: edge.target, frame: configuration.frame, budgetUsed: configuration.budgetUsed)
                    if cost(next, frames) == left - 1 {
                        chosen = edge.low
                        break search
                    }
                }
            }
            guard let byte = chosen else { return nil }
            bytes.append(byte)
            state = automaton.step(state, byte, frames: &frames)
            left = cost(state, frames)
            if bytes.count > length { return nil }
        }
        return bytes
    }

    /// The fewest bytes that reach the pending tool call's hole from here (0 at the hole); nil
    /// outside a tool call, since beginning one would spend budget.
    public var shortestLengthToHole: Int? {
        guard !isTerminated else { return nil }
        let length = compiled.completionDistances.remainingToHole(current, frames: frames)
        return length < CompletionDistances.unreachable ? Int(length) : nil
    }

    /// The fewest bytes to a complete text when the runtime's hole text is not counted: from
    /// inside a tool call, the rest of its parameters and everything after its result.
    public var shortestCompletionLengthThroughHoles: Int? {
        guard !isTerminated else { return nil }
        let length = compiled.completionDistances.remainingThroughHoles(current, frames: frames)
        return length < CompletionDistances.unreachable ? Int(length) : nil
    }

    /// The bytes of a shortest way from inside a tool call's parameters to its result's hole
    /// (the parameters closed, optional members left out), without advancing: what the
    /// runtime writes when a call begun near the token limit must end so that the tree can
    /// still close. Nil outside a tool call or when longer than `limit`.
    public mutating func shortestCompletionToHole(limit: Int = 4096) -> [UInt8]? {
        guard let length = shortestLengthToHole, length <= limit else { return nil }
        return shortestBytes(length: length, to: .hole)
    }

    /// Whether `bytes` could be read here, without changing the matcher.
    public mutating func canAccept(_ bytes: [UInt8]) -> Bool {
        guard !isTerminated else { return false }
        return scan(bytes) != nil
    }

    private mutating func advance(over bytes: [UInt8]) -> Bool {
        guard let next = scan(bytes) else { return false }
        history.append(Step(state: next, terminated: false))
        return true
    }

    private mutating func scan(_ bytes: [UInt8]) -> ParseState? {
        var state = current
        for byte in bytes {
            state = compiled.automaton.step(state, byte, frames: &frames)
            if state.isDead { return nil }
        }
        return state
    }
}
