import ArborSchema
import ArborTools
import Dispatch

/// Tool holes as a consumer of the decode steps: at a ``DecodeStep/hole(_:)`` it calls the
/// tool the tree asks for (or takes the outcome a resumed run recorded) and puts its result
/// in the hole. In the `prose` syntax every `=` is a hole, and only a calculation written
/// before it calls the calculator (``ProseArithmetic``).
public struct ToolHoles {
    let tools: any ToolInvoking
    let recorder: (any RunRecorder)?
    /// Outcomes of tool calls recorded before a resume, used instead of calling again.
    let recordedOutcomes: [ToolOutcome]

    public init(tools: any ToolInvoking, recorder: (any RunRecorder)? = nil, recordedOutcomes: [ToolOutcome] = []) {
        self.tools = tools
        self.recorder = recorder
        self.recordedOutcomes = recordedOutcomes
    }

    /// Fills `decoder`'s pending hole; the time it takes counts as tool time, not decoding.
    /// A prose `=` that is no calculation is stepped over.
    func fill(_ decoder: inout TreeDecoder) async throws {
        let start = DispatchTime.now()
        defer { decoder.toolTime += seconds(since: start) }
        guard let call = try decoder.pendingToolCall() else { return try decoder.skipHole() }
        let index = decoder.nextToolCallIndex
        let outcome: ToolOutcome
        if index < recordedOutcomes.count {
            outcome = recordedOutcomes[index]
        } else {
            try recorder?.toolCallStarted(index: index, name: call.name, arguments: call.arguments,
                                          taskPath: decoder.currentPath, tokenSeq: decoder.nextSeq)
            if case .string = call.arguments {
                outcome = ToolOutcome(tool: call.name, arguments: call.arguments,
                                      result: .failure(.malformedArguments(tool: call.name, message: "the parameters are not JSON")),
                                      duration: .zero)
            } else {
                outcome = await tools.invoke(call.name, arguments: call.arguments)
            }
            try recorder?.toolCallFinished(index: index, outcome: outcome)
        }
        try decoder.insertToolResult(outcome)
    }
}

extension TreeDecoder {
    /// Steps until the grammar is complete (or `stop` says so, asked before every step),
    /// filling tool holes with `holes`.
    public mutating func decode(filling holes: ToolHoles, until stop: ((TreeDecoder) -> Bool)? = nil) async throws {
        while stop?(self) != true, let step = try next() {
            if case .hole = step { try await holes.fill(&self) }
        }
    }
}

extension TreeDecoder {
    /// Feeds `ids` as forced text, as if the grammar had forced it (the recorder, if any,
    /// receives it): steering the tree. Throws ``RuntimeError/replayMismatch(seq:reason:)``
    /// when the grammar refuses a token.
    public mutating func force(_ ids: [Int32]) throws {
        try replay(RecordedProgress(promptTokens: [], tokens: ids.map { ($0, .forced) }, toolCalls: [], isRecorded: false))
    }

    /// Drops the backend's whole cache and computes the prompt and every kept token again:
    /// what a backend that lost its cache (a restarted server) needs, and what an agent loop
    /// without a persistent cache does after every tool call.
    public mutating func recomputeCache() throws {
        try memory.rebuild()
    }
}
