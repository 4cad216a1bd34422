import ArborRuntime
import ArborSchema
import ArborStore

extension ForkPoint {
    /// Records, in one transaction, a new run that departs from here: `source`'s token log
    /// through this point, the tool calls made in it, the rounds before this one and the tasks
    /// finished in the kept tokens (a resume replays them without recording them again).
    /// Resume the returned run to decode on; `options` are its sampling settings (the
    /// source's, or changed to explore another continuation).
    ///
    /// ```swift
    /// let fork = try point.recordFork(of: source, progress: progress, options: options, in: store)
    /// try await runner.run(inputs: inputs, resuming: try store.recordedProgress(runID: fork.id))
    /// ```
    public func recordFork(of source: Run, progress: RecordedProgress, options: RunOptions, in store: RunStore) throws -> Run {
        let forked = Run(id: Run.makeID(), workflow: source.workflow, specText: source.specText, specSHA256: source.specSHA256,
                         inputsJSON: source.inputsJSON, modelPath: source.modelPath, modelSHA256: source.modelSHA256,
                         samplingJSON: options.jsonText, forkedFromRunID: source.id, forkedAtPath: path, forkedAtRound: round)
        let details = try store.loadRun(id: source.id)
        let calls = details.toolCalls.sorted { $0.seq < $1.seq }.prefix(toolCalls)
        try store.checkpoint { transaction in
            try transaction.createRun(forked)
            try transaction.copyTokenLog(from: source.id, count: progress.promptTokens.count + treeTokens, to: forked.id)
            for call in calls {
                var copy = call
                copy.runID = forked.id
                try transaction.recordToolCall(copy)
            }
            for record in details.rounds where record.number < round {
                var copy = record
                copy.runID = forked.id
                try transaction.saveRound(copy)
            }
            for finished in finishedTasks {
                try transaction.upsertNodeWithAncestors(TreeNode(
                    runID: forked.id, path: finished.task.path, round: finished.round, thought: finished.task.thought,
                    conclusion: finished.task.conclusion, state: .closed))
            }
        }
        return forked
    }
}
