/// One way the parser can be positioned: an automaton node, the stack of return points
/// below it (a ``FrameTable`` index), and how much budget this path has spent.
struct ParseConfiguration: Sendable, Hashable, Comparable {
    var node: Int32
    var frame: Int32
    var budgetUsed: Int32

    static func < (lhs: ParseConfiguration, rhs: ParseConfiguration) -> Bool {
        (lhs.node, lhs.frame, lhs.budgetUsed) < (rhs.node, rhs.frame, rhs.budgetUsed)
    }
}

/// A graph-structured parse stack: each frame is a return node and the frame below it,
/// interned so that equal stacks share one index and configurations stay small values.
///
/// Frames are only ever added, so an index stays valid after a rollback.
struct FrameTable: Sendable {
    struct Frame: Sendable, Hashable {
        var returnNode: Int32
        var parent: Int32
    }

    /// The bottom of a whole parse: popping it means the root rule is complete.
    static let root: Int32 = -1
    /// The bottom of a cache simulation: popping it depends on the real stack.
    static let context: Int32 = -2

    private(set) var frames: [Frame] = []
    private var index: [Frame: Int32] = [:]

    mutating func intern(_ frame: Frame) -> Int32 {
        if let existing = index[frame] { return existing }
        frames.append(frame)
        let id = Int32(frames.count - 1)
        index[frame] = id
        return id
    }

    subscript(id: Int32) -> Frame { frames[Int(id)] }
}

/// The parser's position after some input: the closed set of configurations that can read
/// the next byte (or a hole), and whether the whole grammar may end here.
struct ParseState: Sendable, Hashable {
    /// Sorted and unique; only configurations at nodes that can scan.
    var configurations: [ParseConfiguration]
    /// The root rule can be complete after the input so far.
    var isComplete: Bool
    /// A cache simulation popped below its context or spent budget (so the outcome of
    /// the input so far depends on what the simulation does not know).
    var touchesContext: Bool

    var isDead: Bool { configurations.isEmpty && !isComplete }
}

extension GrammarAutomaton {
    /// The closure of `seeds` over epsilon, call, return and budget edges.
    ///
    /// With `simulating` true the frame ``FrameTable/context`` stands for an unknown stack
    /// (popping it sets ``ParseState/touchesContext``), and budget edges are taken with
    /// `budgetUsed` set to 1, meaning "valid only if budget remains".
    func close(_ seeds: [ParseConfiguration], frames: inout FrameTable, simulating: Bool = false) -> ParseState {
        // Most closures hold a few dozen configurations: a linear scan beats hashing until
        // the list grows past `smallClosure`, then a set takes over.
        let smallClosure = 48
        var seenList: [ParseConfiguration] = []
        seenList.reserveCapacity(smallClosure)
        var seenSet: Set<ParseConfiguration>?
        var work = seeds
        var kept: [ParseConfiguration] = []
        var complete = false
        var touches = false
        while let configuration = work.popLast() {
            if seenSet != nil {
                guard seenSet!.insert(configuration).inserted else { continue }
            } else {
                guard !seenList.contains(configuration) else { continue }
                seenList.append(configuration)
                if seenList.count > smallClosure { seenSet = Set(seenList) }
            }
            let node = nodes[Int(configuration.node)]
            if node.canScan { kept.append(configuration) }
            for next in node.epsilons {
                work.append(ParseConfiguration(node: next, frame: configuration.frame, budgetUsed: configuration.budgetUsed))
            }
            for next in node.budgeted {
                if simulating {
                    // The budget is unknown: follow the edge, marking the path as one that
                    // holds only if budget remains (see `TokenWalker`).
                    work.append(ParseConfiguration(node: next, frame: configuration.frame, budgetUsed: 1))
                } else if budgetLimit.map({ Int(configuration.budgetUsed) < $0 }) ?? true {
                    work.append(ParseConfiguration(node: next, frame: configuration.frame, budgetUsed: configuration.budgetUsed + 1))
                }
            }
            for call in node.calls {
                let frame = call.returnNode.map { frames.intern(FrameTable.Frame(returnNode: $0, parent: configuration.frame)) } ?? configuration.frame
                work.append(ParseConfiguration(node: ruleStart[Int(call.rule)], frame: frame, budgetUsed: configuration.budgetUsed))
            }
            if node.isFinal {
                switch configuration.frame {
                case FrameTable.root: complete = true
                case FrameTable.context: touches = true
                default:
                    let frame = frames[configuration.frame]
                    work.append(ParseConfiguration(node: frame.returnNode, frame: frame.parent, budgetUsed: configuration.budgetUsed))
                }
            }
        }
        kept.sort()
        return ParseState(configurations: kept, isComplete: complete, touchesContext: touches)
    }

    /// The state at the start of the root rule.
    func initialState(frames: inout FrameTable) -> ParseState {
        close([ParseConfiguration(node: ruleStart[Int(rootRule)], frame: FrameTable.root, budgetUsed: 0)], frames: &frames)
    }

    /// The state after reading `byte` in `state`; dead when no configuration can read it.
    func step(_ state: ParseState, _ byte: UInt8, frames: inout FrameTable, simulating: Bool = false) -> ParseState {
        var seeds: [ParseConfiguration] = []
        for configuration in state.configurations {
            for edge in nodes[Int(configuration.node)].byteEdges where edge.low <= byte && byte <= edge.high {
                seeds.append(ParseConfiguration(node: edge.target, frame: configuration.frame, budgetUsed: configuration.budgetUsed))
            }
        }
        if seeds.isEmpty { return ParseState(configurations: [], isComplete: false, touchesContext: false) }
        return close(seeds, frames: &frames, simulating: simulating)
    }

    /// The name of the hole some configuration of `state` waits at, if any.
    func pendingHole(_ state: ParseState) -> String? {
        for configuration in state.configurations {
            if let hole = nodes[Int(configuration.node)].hole { return hole.name }
        }
        return nil
    }

    /// The state after stepping over the hole.
    func stepOverHole(_ state: ParseState, frames: inout FrameTable) -> ParseState {
        var seeds: [ParseConfiguration] = []
        for configuration in state.configurations {
            if let hole = nodes[Int(configuration.node)].hole {
                seeds.append(ParseConfiguration(node: hole.target, frame: configuration.frame, budgetUsed: configuration.budgetUsed))
            }
        }
        if seeds.isEmpty { return ParseState(configurations: [], isComplete: false, touchesContext: false) }
        return close(seeds, frames: &frames)
    }

    /// The only byte `state` can read next, when there is exactly one and the grammar
    /// cannot end or take a hole here.
    func forcedByte(_ state: ParseState) -> UInt8? {
        guard !state.isComplete else { return nil }
        var only: UInt8?
        for configuration in state.configurations {
            let node = nodes[Int(configuration.node)]
            if node.hole != nil { return nil }
            for edge in node.byteEdges {
                guard edge.low == edge.high, only == nil || only == edge.low else { return nil }
                only = edge.low
            }
        }
        return only
    }
}
