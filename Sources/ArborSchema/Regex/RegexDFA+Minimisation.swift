extension RegexDFA {
    // MARK: Trimming

    /// Removes transitions into states from which no accepting state is reachable.
    static func trim(_ states: [State]) -> [State] {
        var reverse = [[Int]](repeating: [], count: states.count)
        for (source, state) in states.enumerated() {
            for transition in state.transitions { reverse[transition.target].append(source) }
        }
        var live = states.map(\.isAccepting)
        var stack = live.indices.filter { live[$0] }
        while let state = stack.popLast() {
            for source in reverse[state] where !live[source] {
                live[source] = true
                stack.append(source)
            }
        }
        return states.map { state in
            State(transitions: state.transitions.filter { live[$0.target] }, isAccepting: state.isAccepting)
        }
    }

    // MARK: Minimisation

    /// Merges equivalent states (Hopcroft), then renumbers breadth-first from the start.
    static func minimise(_ states: [State]) -> [State] {
        let classes = equivalenceClasses(states)
        var representative: [Int: Int] = [:]
        for (state, stateClass) in classes.enumerated() where representative[stateClass] == nil {
            representative[stateClass] = state
        }
        var number: [Int: Int] = [classes[0]: 0]
        var representatives = [0]
        var cursor = 0
        var result: [State] = []
        while cursor < representatives.count {
            let state = states[representatives[cursor]]
            var transitions: [Transition] = []
            for transition in merged(state.transitions, classes: classes) {
                let targetClass = transition.target
                if number[targetClass] == nil {
                    number[targetClass] = representatives.count
                    representatives.append(representative[targetClass]!)
                }
                transitions.append(Transition(range: transition.range, target: number[targetClass]!))
            }
            result.append(State(transitions: transitions, isAccepting: state.isAccepting))
            cursor += 1
        }
        return result
    }

    /// Hopcroft's partition refinement over the alphabet of intervals on which every
    /// state's transitions are constant; a missing transition goes to an implicit dead state.
    /// Returns the equivalence class of each state.
    static func equivalenceClasses(_ states: [State]) -> [Int] {
        let count = states.count
        let dead = count  // the implicit sink, never accepting
        // Alphabet: the elementary intervals between all range boundaries.
        var boundaries = Set<UInt32>()
        for state in states {
            for transition in state.transitions {
                boundaries.insert(transition.range.lowerBound)
                boundaries.insert(transition.range.upperBound + 1)
            }
        }
        let points = boundaries.sorted()
        let symbolCount = max(0, points.count - 1)
        func symbol(_ value: UInt32) -> Int {
            var low = 0
            var high = points.count - 1
            while low < high {  // last point <= value
                let middle = (low + high + 1) / 2
                if points[middle] <= value { low = middle } else { high = middle - 1 }
            }
            return low
        }
        // inverse[symbol][target] = the states that go to `target` on `symbol` (dead included).
        var inverse = [[[Int]]](repeating: [[Int]](repeating: [], count: count + 1), count: symbolCount)
        for (source, state) in states.enumerated() {
            var covered = [Bool](repeating: false, count: symbolCount)
            for transition in state.transitions {
                for letter in symbol(transition.range.lowerBound)..<symbol(transition.range.upperBound + 1) {
                    inverse[letter][transition.target].append(source)
                    covered[letter] = true
                }
            }
            for letter in 0..<symbolCount where !covered[letter] { inverse[letter][dead].append(source) }
        }
        for letter in 0..<symbolCount { inverse[letter][dead].append(dead) }

        // The partition: blocks of states, and each state's block.
        var blocks: [[Int]] = []
        var blockOf = [Int](repeating: 0, count: count + 1)
        let accepting = states.indices.filter { states[$0].isAccepting }
        let rejecting = states.indices.filter { !states[$0].isAccepting } + [dead]
        var worklist: [Int] = []
        var inWorklist: [Bool] = []
        for members in [accepting, rejecting] where !members.isEmpty {
            for state in members { blockOf[state] = blocks.count }
            blocks.append(members)
            inWorklist.append(false)
        }
        if let smaller = blocks.indices.min(by: { blocks[$0].count < blocks[$1].count }) {
            worklist.append(smaller)
            inWorklist[smaller] = true
        }

        while let splitter = worklist.popLast() {
            inWorklist[splitter] = false
            let splitterMembers = blocks[splitter]
            for letter in 0..<symbolCount {
                // The states that enter the splitter on `letter`, grouped by their block.
                var marked: [Int: [Int]] = [:]
                for target in splitterMembers {
                    for source in inverse[letter][target] { marked[blockOf[source], default: []].append(source) }
                }
                for (block, members) in marked where members.count < blocks[block].count {
                    let memberSet = Set(members)
                    let rest = blocks[block].filter { !memberSet.contains($0) }
                    let newBlock = blocks.count
                    blocks[block] = rest
                    blocks.append(members)
                    inWorklist.append(false)
                    for state in members { blockOf[state] = newBlock }
                    if inWorklist[block] {
                        worklist.append(newBlock)
                        inWorklist[newBlock] = true
                    } else {
                        let smaller = members.count <= rest.count ? newBlock : block
                        worklist.append(smaller)
                        inWorklist[smaller] = true
                    }
                }
            }
        }
        return Array(blockOf.prefix(count))
    }

    /// Transitions relabelled with target classes, adjacent ranges of one class merged.
    static func merged(_ transitions: [Transition], classes: [Int]) -> [Transition] {
        var result: [Transition] = []
        for transition in transitions {
            let target = classes[transition.target]
            if let last = result.last, last.target == target,
               last.range.upperBound + 1 == transition.range.lowerBound
                || (last.range.upperBound == 0xD7FF && transition.range.lowerBound == 0xE000) {
                result[result.count - 1].range = last.range.lowerBound...transition.range.upperBound
            } else {
                result.append(Transition(range: transition.range, target: target))
            }
        }
        return result
    }
}
