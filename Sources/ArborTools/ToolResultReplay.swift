import ArborSchema

/// Answers a run's tool calls with the outcomes an earlier run recorded, in order, for as long
/// as the calls are the same (tool and arguments); from the first call that differs on, the
/// live tools answer.
///
/// Why: a tool whose result depends on when or where it runs (a clock, a search index that
/// changed) makes two runs of one workflow part for reasons that have nothing to do with the
/// model. Replaying the first run's results makes the second see the same world, so the two
/// can be compared token for token; it also re-runs a recorded run without calling its tools
/// again (a run's report and its record list its outcomes in call order).
///
/// ```swift
/// let replay = ToolResultReplay(outcomes: first.toolCalls, live: try await ToolBox(workflow: workflow))
/// let outcome = await replay.invoke("today", arguments: [:])   // the first run's reading of the clock
/// await replay.replayedCount                                    // 1
/// ```
public actor ToolResultReplay: ToolInvoking {
    private let outcomes: [ToolOutcome]
    private let live: any ToolInvoking
    /// The next recorded outcome to answer with; nil once a call differed from the record.
    private var next: Int? = 0
    /// Calls answered from the record so far.
    public private(set) var replayedCount = 0

    /// Replays `outcomes` (in the order they were recorded) in front of `live`.
    public init(outcomes: [ToolOutcome], live: any ToolInvoking) {
        self.outcomes = outcomes
        self.live = live
    }

    public func parameterSchemas() async -> [(name: String, schema: JSONValue)] {
        await live.parameterSchemas()
    }

    public func invoke(_ name: String, arguments: JSONValue) async -> ToolOutcome {
        if let index = next, index < outcomes.count, outcomes[index].tool == name, outcomes[index].arguments == arguments {
            next = index + 1
            replayedCount += 1
            return outcomes[index]
        }
        // The runs have parted: later recorded outcomes answered other calls.
        next = nil
        return await live.invoke(name, arguments: arguments)
    }
}
