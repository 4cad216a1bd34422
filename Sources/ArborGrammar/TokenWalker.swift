/// Checks many tokens from one parse state, visiting them in byte order so that a prefix
/// shared with the previous token is not parsed again, and a prefix that already failed
/// rejects every token that extends it at once.
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

    /// Visits each token at `positions` (ascending indices into the sorted vocabulary).
    func walk(from start: ParseState, positions: some Sequence<Int>, frames: inout FrameTable, simulating: Bool,
              visit: (_ position: Int, _ id: Int32, _ outcome: Outcome) -> Void) {
        var states: [ParseState] = [start]
        var touched: [Bool] = [start.touchesContext]
        var previous: [UInt8] = []
        // After `deadLength` bytes of `previous` no configuration was left; tokens that
        // extend that prefix share `deadOutcome`.
        var deadLength: Int?
        var deadOutcome = Outcome.rejected
        // Many tokens pass through the same states (inside a string, every plain character
        // leads back to the same place), so steps are memoised for this walk.
        var steps: [StepKey: ParseState] = [:]
        for position in positions {
            let id = vocabulary.sortedIDs[position]
            let bytes = vocabulary.tokens[Int(id)]
            let common = Self.commonPrefixLength(previous, bytes)
            previous = bytes
            if let length = deadLength, common >= length, bytes.count > length {
                visit(position, id, deadOutcome)
                continue
            }
            deadLength = nil
            let keep = min(common, states.count - 1)
            states.removeLast(states.count - keep - 1)
            touched.removeLast(touched.count - keep - 1)
            while states.count <= bytes.count, !states[states.count - 1].configurations.isEmpty {
                let depth = states.count - 1
                let key = StepKey(state: states[depth], byte: bytes[depth])
                let next: ParseState
                if let known = steps[key] {
                    next = known
                } else {
                    next = automaton.step(states[depth], bytes[depth], frames: &frames, simulating: simulating)
                    steps[key] = next
                }
                states.append(next)
                touched.append(touched[depth] || next.touchesContext)
            }
            let reached = states.count - 1
            let last = states[reached]
            if last.configurations.isEmpty {
                deadLength = reached
                deadOutcome = touched[reached] ? .uncertain : .rejected
            }
            if reached == bytes.count, !last.configurations.isEmpty || last.isComplete {
                // A simulated path through a budgeted part holds only if budget remains.
                let certain = !simulating || last.isComplete || last.configurations.contains { $0.budgetUsed == 0 }
                visit(position, id, certain ? .accepted : .uncertain)
            } else {
                visit(position, id, touched[reached] ? .uncertain : .rejected)
            }
        }
    }

    private struct StepKey: Hashable {
        var state: ParseState
        var byte: UInt8
    }

    static func commonPrefixLength(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let limit = min(a.count, b.count)
        var index = 0
        while index < limit, a[index] == b[index] { index += 1 }
        return index
    }
}
