import ArborGrammar
import ArborModel
import ArborSchema
import ArborSpec
import ArborTools
import Dispatch

/// The run as rounds: each round renders its prompt (the previous round's summary in it),
/// reuses the cache the prompts share, replays what a resumed run recorded and decodes on.
extension WorkflowRunner {
    func runRounds(inputs given: JSONObject, resuming progress: RecordedProgress?) async throws -> RunReport {
        let inputs = try workflow.resolveInputs(given)
        try options.check(for: workflow)
        if let numerics = options.numerics { LlamaCppNumerics.current = numerics }
        let serverTools = await serverToolSchemas()
        let grammar = try compileGrammar(serverTools: serverTools, isSummaryRound: false)
        // steps and prose are one round: no summary, no open-ended round
        let steps = try stepsReader(serverTools: serverTools)
        let rounded = steps == nil && workflow.limits.roundBudget != nil && workflow.limits.maxRounds > 1
        let summaryGrammar = rounded ? try compileGrammar(serverTools: serverTools, isSummaryRound: true) : nil
        let minimumTokens = steps == nil ? options.minimumTokens ?? 0 : 0
        let openGrammar = minimumTokens > 0 ? try compileGrammar(serverTools: serverTools, isSummaryRound: true, isOpenEnded: true) : nil
        model.free(slots: model.sequenceSlots)
        let holes = ToolHoles(tools: tools, recorder: recorder, recordedOutcomes: progress?.toolCalls ?? [])

        var rounds: [RoundRecord] = []
        var summary: String?
        var total = RunMetrics()
        var tasks: [TaskRecord] = []
        var toolCalls: [ToolOutcome] = []
        var logOffset = 0
        var largestTopLevelTask = 0
        var closedRounds: [Int] = []
        var previous: WorkingMemory?
        while true {
            let number = rounds.count
            let promptIDs = try promptTokens(inputs: inputs, serverTools: serverTools, summary: summary)
            let start = DispatchTime.now()
            let seqBase = total.promptTokens + total.treeTokens
            let memory = try previous?.nextRound(prompt: promptIDs, seqBase: seqBase) ?? {
                let first = WorkingMemory(model: model)
                // the recorded prompt's rows are copied back only if the prompt is the same
                if let progress, let rows = progress.kvRows, let last = progress.lastSeq, progress.promptTokens == promptIDs,
                   let transfer = model as? any KVRowTransfer, progress.kvRowByteCount == transfer.kvRowByteCount {
                    first.restore = (rows, last)
                }
                try first.feedPrompt(promptIDs)
                return first
            }()
            let mayEndWithSummary = number + 1 < workflow.limits.maxRounds
            let mustGoOn = mayEndWithSummary && total.treeTokens < minimumTokens
            var round = makeDecoder(grammar: mustGoOn ? openGrammar ?? grammar : grammar, memory: memory,
                                    summaryGrammar: mayEndWithSummary ? summaryGrammar : nil, largestTopLevelTask: largestTopLevelTask,
                                    steps: steps)
            round.roundNumber = number
            round.seqBase = seqBase
            round.toolCallBase = toolCalls.count
            let fedPrompt = Array(promptIDs.suffix(memory.promptFedCount))
            if try checkOrRecordPrompt(fedPrompt, round: number, seq: round.seqBase, progress: progress, offset: &logOffset) {
                try recorder?.kvRowsComputed(firstSeq: seqBase, slots: memory.fedPromptSlots, backend: model)
            }
            if let released = previous?.seqsReleased(keepingPrompt: memory.keptPromptCount), !released.isEmpty {
                try recorder?.kvRowsReleased(seqs: released)
            }
            round.metrics.promptTokens = fedPrompt.count
            round.metrics.promptSeconds = seconds(since: start)
            if let progress {
                logOffset += try round.replay(progress, from: logOffset)
                round.metrics.restoredTokens = memory.restoredCount
                // the replay is over: a token whose recorded rows were missing must not remain
                if logOffset >= progress.tokens.count {
                    if let seq = memory.firstCachedUnwrittenSeq {
                        throw RuntimeError.kvRowsUnusable(seq: seq, reason: "the token is still cached, but the record says its row left with it")
                    }
                    memory.restore = nil
                }
            }
            try await round.decode(filling: holes)

            total.add(round.metrics)
            largestTopLevelTask = round.roundEnding.largestTopLevelTask
            tasks += round.tasks
            toolCalls += round.toolCalls
            if round.closedAtTokenLimit { closedRounds.append(number) }
            let record = RoundRecord(number: number, summary: round.tracker.summaryText, promptTokens: fedPrompt.count,
                                     treeTokens: round.metrics.treeTokens, peakKeptTokens: round.roundEnding.peakKeptTreeTokens,
                                     decodeSeconds: round.metrics.decodeSeconds, peakKVSlots: round.metrics.peakKVSlots,
                                     promptLength: promptIDs.count, endKeptTokens: round.keptTreeTokens)
            rounds.append(record)
            // A round replayed whole from the record (the log goes on past it) is recorded already.
            let replayedWhole = progress.map { logOffset < $0.tokens.count } ?? false
            if !replayedWhole { try recorder?.roundFinished(record) }
            guard let next = round.tracker.summaryText else {
                let answer = try round.answer(outputSchema: SchemaDocument(compiling: workflow.outputSchema))
                return RunReport(output: answer.output, document: answer.document, tasks: tasks, toolCalls: toolCalls,
                                 metrics: total, rounds: rounds, roundsClosedAtTokenLimit: closedRounds)
            }
            summary = next
            previous = memory
        }
    }

    /// The first round as a run starts it: the model's sequence emptied, the prompt fed, a
    /// decoder over the tree grammar (the tools asked for their parameter schemas). Stepping
    /// it and steering it (``TreeDecoder/force(_:)``) is what ``run(inputs:resuming:)`` does
    /// round after round.
    public func startFirstRound(inputs given: JSONObject) async throws -> TreeDecoder {
        let inputs = try workflow.resolveInputs(given)
        let serverTools = await serverToolSchemas()
        let grammar = try compileGrammar(serverTools: serverTools, isSummaryRound: false)
        let ids = try promptTokens(inputs: inputs, serverTools: serverTools, summary: nil)
        model.free(slots: model.sequenceSlots)
        var decoder = makeDecoder(grammar: grammar, steps: try stepsReader(serverTools: serverTools))
        try decoder.memory.feedPrompt(ids)
        decoder.metrics.promptTokens = ids.count
        return decoder
    }

    /// The first round's prompt, as the model sees it.
    public func firstPrompt(inputs: JSONObject) async throws -> [Int32] {
        try promptTokens(inputs: try workflow.resolveInputs(inputs), serverTools: await serverToolSchemas(), summary: nil)
    }

    /// A round's prompt (the previous round's summary in it) rendered and tokenised, in the
    /// tree syntax the model types.
    func promptTokens(inputs: JSONObject, serverTools: [String: JSONValue], summary: String?) throws -> [Int32] {
        let builder = promptBuilder(serverTools: serverTools)
        let messages: [ChatMessage]
        switch workflow.model.treeSyntax {
        case .json: messages = builder.messages(inputs: inputs, summary: summary)
        case .steps: messages = builder.stepsMessages(inputs: inputs, spec: try ReasoningTreeSpec(workflow: workflow, serverTools: serverTools))
        case .prose: messages = builder.proseMessages(inputs: inputs)
        }
        return tokenizer.encode(chatTemplate.render(messages: messages, addGenerationPrompt: true), parseSpecial: true)
    }

    /// The parameter schemas the tools report, by tool name.
    func serverToolSchemas() async -> [String: JSONValue] {
        let schemas = await tools.parameterSchemas()
        return Dictionary(schemas.map { ($0.name, $0.schema) }, uniquingKeysWith: { a, _ in a })
    }

    func promptBuilder(serverTools: [String: JSONValue]) -> PromptBuilder {
        PromptBuilder(workflow: workflow, tools: workflow.tools.map { tool in
            PromptBuilder.ToolInfo(name: tool.name, description: tool.description,
                                   parameters: serverTools[tool.name] ?? ReasoningTreeSpec.parametersFetchedAtRunTime)
        })
    }

    /// A decoder for one round, set up from the workflow's limits and the run's options.
    func makeDecoder(grammar: CompiledGrammar, memory: WorkingMemory? = nil, summaryGrammar: CompiledGrammar? = nil,
                     largestTopLevelTask: Int = 0, steps: StepsReader? = nil) -> TreeDecoder {
        let limits = workflow.limits
        let settings = TreeDecoder.Settings(
            sampling: options.sampling, maxTokens: options.maxTokens ?? limits.maxTokens, prune: options.prune,
            pruneBuffer: limits.pruneBuffer, maxTextLength: limits.maxTextLength,
            hasTools: !workflow.tools.isEmpty && limits.maxToolCalls > 0, toolResultTokenBudget: options.toolResultTokenBudget)
        var decoder = TreeDecoder(backend: model, tokenizer: tokenizer, grammar: grammar, settings: settings, memory: memory,
                                  summaryGrammar: summaryGrammar, roundBudget: limits.roundBudget,
                                  largestTopLevelTask: largestTopLevelTask, steps: steps)
        decoder.recorder = recorder
        decoder.onProgress = onProgress
        decoder.shouldStop = shouldStop
        return decoder
    }
}

func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}
