import ArborSchema

/// A `pattern`'s (or `format`'s) automaton paired with a count of the characters read, so the
/// grammar enforces `minLength`/`maxLength` together with the pattern instead of leaving the
/// length to a post-check that fails after the tokens are spent.
///
/// A state is (automaton state, characters read so far). Without `maxLength` the count stops
/// at `minLength`, since past it only "at least" matters. Pairs from which no string of an
/// allowed length can still be finished are dropped, so the grammar never leads a model into
/// a string it cannot close.
///
/// ```swift
/// let dfa = try RegexPattern("^https?://[a-z./]+$").dfa(mode: .search)
/// let counted = CountedAutomaton(dfa, minimum: 0, maximum: 120, stateLimit: 32_768)
/// counted?.states.count   // about dfa.states.count × 121, less the dead pairs
/// ```
struct CountedAutomaton {
    /// State 0 is the start; empty when no string of an allowed length matches.
    let states: [RegexDFA.State]

    /// Nil when the product would have more than `stateLimit` pairs.
    init?(_ dfa: RegexDFA, minimum: Int, maximum: Int?, stateLimit: Int) {
        let ceiling = maximum ?? minimum
        let (product, overflow) = dfa.states.count.multipliedReportingOverflow(by: ceiling + 1)
        guard !overflow, product <= stateLimit else { return nil }
        func pair(_ state: Int, _ count: Int) -> Int { state * (ceiling + 1) + count }
        func nextCount(_ count: Int) -> Int? {
            guard let maximum else { return min(count + 1, minimum) }
            return count < maximum ? count + 1 : nil
        }

        // Forward: the pairs reachable from the start, with their edges.
        var edges: [Int: [RegexDFA.Transition]] = [:]
        var order = [pair(dfa.start, 0)]
        var seen: Set<Int> = [order[0]]
        var cursor = 0
        while cursor < order.count {
            let current = order[cursor]
            cursor += 1
            let (state, count) = current.quotientAndRemainder(dividingBy: ceiling + 1)
            guard let next = nextCount(count) else { continue }
            for transition in dfa.states[state].transitions {
                let target = pair(transition.target, next)
                edges[current, default: []].append(RegexDFA.Transition(range: transition.range, target: target))
                if seen.insert(target).inserted { order.append(target) }
            }
        }
        func accepts(_ id: Int) -> Bool {
            let (state, count) = id.quotientAndRemainder(dividingBy: ceiling + 1)
            return dfa.states[state].isAccepting && count >= minimum
        }

        // Backward: the pairs from which an accepted pair can still be reached.
        var incoming: [Int: [Int]] = [:]
        for (source, transitions) in edges {
            for transition in transitions { incoming[transition.target, default: []].append(source) }
        }
        var live = Set(order.filter(accepts))
        var stack = Array(live)
        while let id = stack.popLast() {
            for source in incoming[id] ?? [] where live.insert(source).inserted { stack.append(source) }
        }

        let kept = order.filter(live.contains)
        let index = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
        states = kept.map { id in
            let transitions = (edges[id] ?? []).compactMap { transition in
                index[transition.target].map { RegexDFA.Transition(range: transition.range, target: $0) }
            }
            return RegexDFA.State(transitions: transitions, isAccepting: accepts(id))
        }
    }
}
