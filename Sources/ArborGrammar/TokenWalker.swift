/// Checks many tokens from one parse state, visiting them in byte order so that a prefix
/// shared with the previous token is not parsed again, and a prefix that already failed
/// rejects every token that extends it at once.
///
/// Parser states met during one walk are numbered and their transitions tabulated as they
/// are discovered (a lazily built DFA): inside a string every plain character leads back to
/// the same few states, so most bytes cost one table lookup instead of a closure.
struct TokenWalker {
    enum Outcome {
        case accepted
        case rejected
        /// Only in simulation: the result depends on the stack below the simulated rule, or
        /// on whether tool-call budget remains.
        case uncertain
    }

    let automaton: GrammarAutomaton
    let vocabulary: TokenVocabulary
    /// Equivalent nodes for inputs up to the longest token (``CompiledGrammar/cacheNode``),
    /// or nil when every node is its own: simulations map each new state onto them.
    let equivalentNodes: [Int32]?

    /// The states of one walk and their discovered transitions, with the facts the walk
    /// reads per byte kept in flat arrays.
    private struct StateTable {
        var states: [ParseState] = []
        var numbers: [ParseState: Int32] = [:]
        /// `transitions[state * 256 + byte]`: the next state's number, or -1 if not yet known.
        var transitions: [Int32] = []
        /// Per state: some configuration can read on.
        var alive: [Bool] = []
        /// Per state: the simulation needed the unknown stack to get here.
        var touches: [Bool] = []
        /// Per state: a token ending here is accepted (see `walk`).
        var ends: [Bool] = []
        /// Per state: accepted whatever budget remains.
        var certain: [Bool] = []

        mutating func number(_ state: ParseState) -> Int32 {
            if let known = numbers[state] { return known }
            let number = Int32(states.count)
            states.append(state)
            numbers[state] = number
            transitions.append(contentsOf: repeatElement(-1, count: 256))
            alive.append(!state.configurations.isEmpty)
            touches.append(state.touchesContext)
            ends.append(!state.configurations.isEmpty || state.isComplete)
            certain.append(state.isComplete || state.configurations.contains { $0.budgetUsed == 0 })
            return number
        }
    }

    /// Visits each token at `positions` (ascending indices into the sorted vocabulary).
    ///
    /// The walk keeps the parser states along the previous token's bytes; the next token
    /// resumes from the depth the two share (``TokenVocabulary/sharedPrefix`` for
    /// neighbours, a byte comparison otherwise).
    func walk(from start: ParseState, positions: [Int], frames: inout FrameTable, simulating: Bool,
              visit: (_ position: Int, _ id: Int32, _ outcome: Outcome) -> Void) {
        var table = StateTable()
        let depthLimit = vocabulary.longestToken + 1
        // `path[d]`: the state after the first d bytes of the previous token; valid up to `reached`.
        var path = [Int32](repeating: 0, count: depthLimit)
        var touched = [Bool](repeating: false, count: depthLimit)
        path[0] = table.number(start)
        touched[0] = start.touchesContext
        var reached = 0
        var previous = -2
        // After `deadLength` bytes of the previous token no configuration was left; tokens
        // that extend that prefix share `deadOutcome`.
        var deadLength = -1
        var deadOutcome = Outcome.rejected
        var mappedFrames: [Int32: Int32] = [:]
        let sortedIDs = vocabulary.sortedIDs
        let sharedPrefix = vocabulary.sharedPrefix
        vocabulary.sortedBytes.withUnsafeBufferPointer { bytes in
            vocabulary.sortedOffsets.withUnsafeBufferPointer { offsets in
                for position in positions {
                    let id = sortedIDs[position]
                    let begin = Int(offsets[position]), end = Int(offsets[position + 1])
                    let length = end - begin
                    var common: Int
                    if position == previous + 1 {
                        common = Int(sharedPrefix[position])
                    } else if previous >= 0 {
                        let previousBegin = Int(offsets[previous])
                        let limit = min(length, Int(offsets[previous + 1]) - previousBegin)
                        common = 0
                        while common < limit, bytes[begin + common] == bytes[previousBegin + common] { common += 1 }
                    } else {
                        common = 0
                    }
                    previous = position
                    if deadLength >= 0, common >= deadLength, length > deadLength {
                        visit(position, id, deadOutcome)
                        continue
                    }
                    deadLength = -1
                    var depth = min(common, reached)
                    while depth < length, table.alive[Int(path[depth])] {
                        let state = path[depth]
                        let slot = Int(state) * 256 + Int(bytes[begin + depth])
                        var next = table.transitions[slot]
                        if next < 0 {
                            var stepped = automaton.step(table.states[Int(state)], bytes[begin + depth], frames: &frames, simulating: simulating)
                            if simulating, let equivalentNodes {
                                stepped = automaton.mapped(stepped, to: equivalentNodes, frames: &frames, memo: &mappedFrames)
                            }
                            next = table.number(stepped)
                            table.transitions[slot] = next
                        }
                        depth += 1
                        path[depth] = next
                        touched[depth] = touched[depth - 1] || table.touches[Int(next)]
                    }
                    reached = depth
                    let last = Int(path[depth])
                    if !table.alive[last] {
                        deadLength = depth
                        deadOutcome = touched[depth] ? .uncertain : .rejected
                    }
                    if depth == length, table.ends[last] {
                        // A simulated path through a budgeted part holds only if budget remains.
                        visit(position, id, !simulating || table.certain[last] ? .accepted : .uncertain)
                    } else {
                        visit(position, id, touched[depth] ? .uncertain : .rejected)
                    }
                }
            }
        }
    }
}
