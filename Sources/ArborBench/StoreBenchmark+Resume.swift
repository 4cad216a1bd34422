import ArborModel
import ArborRecording
import ArborRuntime
import ArborSchema
import ArborSpec
import ArborStore
import ArborTools
import Dispatch
import Foundation

/// Resume latency: how long a recorded run takes from its record to its first new token.
extension StoreBenchmark {
    // MARK: - Resume latency

    /// Records a run whose working memory holds about `workingMemoryTokens` tokens, then
    /// resumes it from the store and times each phase up to the first newly sampled token.
    public func measureResume(workingMemoryTokens: Int = 4096) async throws -> ResumeLatency {
        let yaml = resumeYAML()
        let workflow = try Self.workflow(yaml)
        let runner = try await makeRunner(workflow)
        let inputs: JSONObject = ["topic": "the layers of rock in a canyon wall"]
        let promptCount = try await makeRunner(workflow).firstPrompt(inputs: inputs).count
        let steer = steeringPrefix(treeTokens: max(8, workingMemoryTokens - promptCount), maxTextLength: workflow.limits.maxTextLength)

        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("runs.sqlite").path
        let runID = "bench-resume"
        do {
            let store = try RunStore(path: path)
            try store.createRun(try benchRun(id: runID, workflow: workflow, yaml: yaml, inputs: inputs))
            let recorder = StoreRecorder(store: store, runID: runID)
            runner.recorder = recorder
            // The steering prefix, then a few sampled tokens, then a stop (like a kill after a commit).
            let watch = ProgressWatch()
            runner.onProgress = { watch.latest = $0.metrics }
            runner.shouldStop = { watch.latest.generatedTokens >= 4 }
            do {
                _ = try await runner.run(inputs: inputs, resuming: steer)
            } catch RuntimeError.interrupted {}
            try recorder.commit()
        }

        // The resume, timed from opening the store.
        let start = DispatchTime.now()
        let store = try RunStore(path: path)
        let storeOpenSeconds = seconds(since: start)
        let readStart = DispatchTime.now()
        let progress = try store.recordedProgress(runID: runID)
        let progressReadSeconds = seconds(since: readStart)
        let recordedGenerated = progress.tokens.filter { $0.kind == .generated }.count
        let replayedCount = progress.tokens.count
        let runStart = DispatchTime.now()
        let watch = ProgressWatch()
        runner.recorder = StoreRecorder(store: store, runID: runID)
        runner.onProgress = { progress in
            watch.latest = progress.metrics
            let now = DispatchTime.now()
            guard watch.firstToken == nil else { return }
            if progress.metrics.generatedTokens > recordedGenerated {
                watch.firstToken = now
            } else if progress.metrics.treeTokens >= replayedCount {
                watch.replayEnd = now  // the last report before a new token: the replay's last batch is in
            }
        }
        runner.shouldStop = { watch.firstToken != nil }
        do {
            _ = try await runner.run(inputs: inputs, resuming: progress)
        } catch RuntimeError.interrupted {}
        runner.recorder = nil
        runner.onProgress = nil
        runner.shouldStop = nil
        guard let replayEnd = watch.replayEnd, let firstToken = watch.firstToken else {
            throw RuntimeError.incomplete(maxTokens: workflow.limits.maxTokens, text: "the resumed run ended before sampling a new token")
        }
        let promptSeconds = watch.latest.promptSeconds
        let untilReplayEnd = Double(replayEnd.uptimeNanoseconds - runStart.uptimeNanoseconds) / 1e9
        return ResumeLatency(
            promptTokens: watch.latest.promptTokens, replayedTokens: replayedCount,
            storeOpenSeconds: storeOpenSeconds, progressReadSeconds: progressReadSeconds,
            promptSeconds: promptSeconds, replaySeconds: max(0, untilReplayEnd - promptSeconds),
            firstTokenSeconds: Double(firstToken.uptimeNanoseconds - replayEnd.uptimeNanoseconds) / 1e9,
            modelLoadSeconds: modelLoadSeconds, restoredTokens: watch.latest.restoredTokens)
    }

    private func resumeYAML() -> String {
        """
        arbor: 1
        name: bench-store-resume
        model:
          context_size: \(contextSlots)
        instructions: |
          Describe {{topic}} in many careful steps, then answer in one sentence.
        inputs:
          topic: str
        output:
          answer: str
        limits:
          max_depth: 1
          max_breadth: 12
          max_tool_calls: 0
          max_text_length: 2048
          max_tokens: \(max(256, contextSlots - 512))
        """
    }

    /// The tree's opening as forced tokens: whole tasks of filler text, then an open thought,
    /// about `treeTokens` tokens in all, so the model goes on writing that thought.
    private func steeringPrefix(treeTokens: Int, maxTextLength: Int) -> RecordedProgress {
        let filler = "The lowest layers were laid down first, as sand and mud settled in a shallow sea, and "
            + "each later layer records a change of climate, of sea level or of the rivers that fed it. "
        let charactersPerToken = max(1.0, Double(filler.utf8.count) / Double(tokenizer.encode(filler, parseSpecial: false).count))
        func text(_ characters: Int) -> String {
            String(String(repeating: filler, count: characters / filler.count + 1).prefix(characters))
        }
        let fieldLength = maxTextLength - 48
        let task = #"{"thought":"\#(text(fieldLength))","conclusion":"\#(text(fieldLength / 4))"}"#
        let taskTokens = tokenizer.encode(task, parseSpecial: false).count
        var document = #"{"reasoning":["#
        var count = tokenizer.encode(document, parseSpecial: false).count
        while count + taskTokens + 64 < treeTokens {
            document += task + ","
            count += taskTokens
        }
        let openThought = min(fieldLength - 64, max(1, Int(Double(treeTokens - count - 4) * charactersPerToken)))
        document += #"{"thought":""# + text(openThought)
        return RecordedProgress(promptTokens: [], tokens: tokenizer.encode(document, parseSpecial: false).map { ($0, .forced) },
                                toolCalls: [], isRecorded: false)
    }
}
