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

    /// The states of one walk and their discovered transitions.
    private struct StateTable {
        var states: [ParseState] = []
        var numbers: [ParseState: Int32] = [:]
        /// `transitions[state * 256 + byte]`: the next state's number, or -1 if not yet known.
        var transitions: [Int32] = []

        mutating func number(_ state: ParseState) -> Int32 {
            if let known = numbers[state] { return known }
            let number = Int32(states.count)
            states.append(state)
            numbers[state] = number
            transitions.append(contentsOf: repeatElement(-1, count: 256))
            return number
        }
    }

    /// Visits each token at `positions` (ascending indices into the sorted vocabulary).
    func walk(from start: ParseState, positions: some Sequence<Int>, frames: inout FrameTable, simulating: Bool,
              visit: (_ position: Int, _ id: Int32, _ outcome: Outcome) -> Void) {
        var table = StateTable()
        var path: [Int32] = [table.number(start)]
        var touched: [Bool] = [start.touchesContext]
        var previous: [UInt8] = []
        // After `deadLength` bytes of `previous` no configuration was left; tokens that
        // extend that prefix share `deadOutcome`.
        var deadLength: Int?
        var deadOutcome = Outcome.rejected
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
            let keep = min(common, path.count - 1)
            path.removeLast(path.count - keep - 1)
            touched.removeLast(touched.count - keep - 1)
            while path.count <= bytes.count, !table.states[Int(path[path.count - 1])].configurations.isEmpty {
                let depth = path.count - 1
                let slot = Int(path[depth]) * 256 + Int(bytes[depth])
                var next = table.transitions[slot]
                if next < 0 {
                    let state = automaton.step(table.states[Int(path[depth])], bytes[depth], frames: &frames, simulating: simulating)
                    next = table.number(state)
                    table.transitions[slot] = next
                }
                path.append(next)
                touched.append(touched[depth] || table.states[Int(next)].touchesContext)
            }
            let reached = path.count - 1
            let last = table.states[Int(path[reached])]
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

    static func commonPrefixLength(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let limit = min(a.count, b.count)
        var index = 0
        while index < limit, a[index] == b[index] { index += 1 }
        return index
    }
}
