import ArborModel
import ArborRemote
import ArborRuntime
import ArborSchema
import ArborSpec
import ArborStore
import ArgumentParser
import Foundation

/// `arbor run SPEC --inputs-file cases.jsonl --jobs N`: checks every line first, then runs
/// them N at a time (``RunBatch``), with a progress line and a line per finished run on
/// standard error and a table of the runs on standard output.
struct RunBatchExecution {
    var workflow: Workflow
    var specText: String
    var modelPath: String
    var options: RunOptions
    var output: RunOutputOptions
    var jobs: Int
    var store: RunStore?

    func execute(casesPath: String, shared: JSONObject) async throws {
        let (cases, problems) = InputCasesFile.load(path: casesPath, workflow: workflow, shared: shared)
        guard problems.isEmpty else {
            for problem in problems { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
            FileHandle.standardError.write(Data("arbor run: \(problems.count) problem(s) in \(casesPath); no run was started.\n".utf8))
            throw ExitCode(1)
        }
        if let refusal = RunExecution.backendRefusal(workflow: workflow, options: options) {
            FileHandle.standardError.write(Data("arbor: \(refusal)\n".utf8))
            throw ExitCode(1)
        }
        let model = try LoadedModel(path: modelPath)
        // Checked once for the batch: every run talks to the same server.
        if let engine = options.servingEngine { _ = try RunExecution.connect(engine, tokenizer: model.tokenizer, record: nil) }
        let batch = RunBatch(workflow: workflow, specText: specText, model: model, options: options,
                             threads: output.kernelThreads(jobs: jobs), jobs: jobs, store: store)
        let progress = BatchProgressLine(total: cases.count, live: !output.quiet && !output.json, file: casesPath)
        batch.onProgress = { progress.update(treeTokens: $0, running: $1) }
        batch.onFinish = { progress.finished($0) }
        let stopRequest = StopRequest()
        batch.shouldStop = { stopRequest.isRequested }
        let start = ContinuousClock.now
        let outcomes = await batch.run(cases)
        let elapsed = ContinuousClock.now - start
        progress.finish()
        let summary = BatchSummary(outcomes: outcomes, jobs: jobs,
                                   seconds: elapsed.inSeconds)
        if output.json {
            print(summary.json.prettyString)
        } else {
            print(summary.table)
            print(summary.totalsLine)
        }
        if let usage = summary.remoteUsage { FileHandle.standardError.write(Data((usage.summaryLine + "\n").utf8)) }
        if let paused = outcomes.first(where: { $0.status == .paused }), let runID = paused.runID {
            FileHandle.standardError.write(Data("arbor: paused runs keep what they decoded; resume each with: arbor resume RUN_ID (e.g. arbor resume \(runID))\n".utf8))
        }
        if outcomes.contains(where: { $0.status == .failed }) { throw ExitCode(1) }
        if outcomes.contains(where: { $0.status == .paused }) { throw ExitCode(75) }
    }
}

/// The batch's progress on standard error: a redrawn bar with tokens/s on a terminal, and one
/// line per finished run (also when standard error is a file, for logs).
final class BatchProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private let file: String
    private let status: LiveStatusLine
    private let start = ContinuousClock.now
    private var done = 0, failed = 0, running = 0, treeTokens = 0

    init(total: Int, live: Bool, file: String) {
        self.total = total
        self.file = file
        status = LiveStatusLine(enabled: live)
    }

    func update(treeTokens: Int, running: Int) {
        lock.lock(); defer { lock.unlock() }
        self.treeTokens = treeTokens
        self.running = running
        status.draw(text)
    }

    func finished(_ outcome: RunBatch.Outcome) {
        lock.lock(); defer { lock.unlock() }
        done += 1
        if outcome.status != .completed { failed += 1 }
        let run = outcome.runID.map { "run \($0)" } ?? "run"
        var line = String(format: "[%d/%d] %@ (%@:%d): %@, %d tokens, %.1f s", done, total, run, file, outcome.line,
                          outcome.status.rawValue, outcome.treeTokens, outcome.seconds)
        if let error = outcome.error { line += " — " + (error.split(separator: "\n").first.map(String.init) ?? error) }
        status.print(line + "\n", thenDraw: text)
    }

    func finish() {
        status.clear()
    }

    /// `[3/10] ███░░░░░░░ 2 running · 1 not completed · 1234 tokens · 56.7 tokens/s`
    private func text() -> String {
        let width = 20, filled = total == 0 ? width : width * done / total
        let seconds = (ContinuousClock.now - start).inSeconds
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        return String(format: "[%d/%d] %@ %d running · %d not completed · %d tokens · %.1f tokens/s",
                      done, total, bar, running, failed, treeTokens, seconds > 0 ? Double(treeTokens) / seconds : 0)
    }
}
