import ArborModel
import ArborRuntime
import ArborSchema
import ArborSpec
import ArborStore
import ArborTools
import ArgumentParser
import Dispatch
import Foundation

/// What `arbor run` and `arbor resume` share: load the model and tools, run with a live
/// status line, record into the store, stop cleanly on SIGINT/SIGTERM.
/// How `run`, `resume` and `fork` print and how many threads they use.
struct RunOutputOptions: ParsableArguments {
    @Option(name: .long, help: "Kernel threads.")
    var threads: Int = 2

    @Flag(name: .long, help: "Print one JSON object: the answer, the tree, the tool calls, the metrics and the run id.")
    var json = false

    @Flag(name: .long, help: "Also print the reasoning tree readably (to standard error; the answer goes to standard output).")
    var tree = false

    @Flag(name: .long, help: "No live status line.")
    var quiet = false

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1.") }
    }
}

struct RunExecution {
    var workflow: Workflow
    var modelPath: String
    var options: RunOptions
    var output: RunOutputOptions

    /// Runs (or resumes, with `progress`) and prints the result. `store`/`runID` record it.
    func execute(inputs: JSONObject, store: RunStore?, runID: String?, progress: RecordedProgress? = nil) async throws {
        let file = try GGUFFile(path: modelPath)
        let tokenizer = try BPETokenizer(gguf: file)
        let contextSlots = min(workflow.model.contextSize, try ModelConfig(file: file).contextLength)
        let transformer = try Transformer(file: file, threads: output.threads, contextSlots: contextSlots)
        let toolBox = try await ToolBox(workflow: workflow)
        let runner = WorkflowRunner(workflow: workflow, model: transformer, tokenizer: tokenizer,
                                    chatTemplate: try ChatTemplate(gguf: file), tools: toolBox, options: options)
        let status = StatusLine(enabled: !output.quiet && !output.json)
        runner.onProgress = { status.update($0) }
        let stopRequest = StopRequest()
        runner.shouldStop = { stopRequest.isRequested }
        var recorder: StoreRecorder?
        if let store, let runID { recorder = StoreRecorder(store: store, runID: runID) }
        runner.recorder = recorder

        let report: RunReport
        do {
            report = try await runner.run(inputs: inputs, resuming: progress)
            try recorder?.commit()
        } catch {
            status.finish()
            await toolBox.shutdown()
            try? recorder?.commit()
            if case RuntimeError.interrupted = error, let store, let runID {
                try? store.updateRunStatus(runID, to: .paused)
                FileHandle.standardError.write(Data("arbor: stopped; everything decoded so far is saved. Resume with: arbor resume \(runID)\n".utf8))
                throw ExitCode(130)
            }
            if let store, let runID { try? store.failRun(runID, error: "\(error)") }
            FileHandle.standardError.write(Data("arbor run: \(error)\n".utf8))
            throw ExitCode(1)
        }
        status.finish()
        await toolBox.shutdown()
        if let store, let runID {
            try store.finishRun(runID, outputJSON: report.output.compactString, closedAtTokenLimit: report.answerClosedAtTokenLimit)
        }
        // Said even with --json (which also carries the flag), so that no one mistakes it for a normal finish.
        if let warning = report.tokenLimitWarning { FileHandle.standardError.write(Data("arbor: \(warning)\n".utf8)) }
        if output.json {
            var object = report.json.objectValue ?? [:]
            if let runID { object["run_id"] = .string(runID) }
            print(JSONValue.object(object).prettyString)
            return
        }
        if output.tree { FileHandle.standardError.write(Data(ReasoningTreeText.render(report.document).utf8)) }
        print(report.output.prettyString)
        FileHandle.standardError.write(Data((report.metrics.summaryLine + "\n").utf8))
        if report.rounds.count > 1 {
            let perRound = report.rounds.map { "\($0.number): \($0.treeTokens) tokens at \(String(format: "%.1f", $0.tokensPerSecond))/s, peak kept \($0.peakKeptTokens)" }
            FileHandle.standardError.write(Data("\(report.rounds.count) rounds — \(perRound.joined(separator: "; "))\n".utf8))
        }
    }
}

/// Set by SIGINT or SIGTERM; the run checks it before every step, so the process stops
/// between tokens with its record committed instead of dying mid-write.
final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false
    private var sources: [DispatchSourceSignal] = []

    init() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in self?.request() }
            source.resume()
            sources.append(source)
        }
    }

    var isRequested: Bool {
        lock.lock(); defer { lock.unlock() }
        return requested
    }

    private func request() {
        lock.lock(); requested = true; lock.unlock()
    }
}

/// One status line on standard error, redrawn at most ten times a second.
final class StatusLine: @unchecked Sendable {
    // Only touched from the run's own task; a class so the progress closure can update it.
    private let enabled: Bool
    private var lastDraw = DispatchTime(uptimeNanoseconds: 0)
    private var drawn = false

    init(enabled: Bool) {
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
    }

    func update(_ progress: RunProgress) {
        guard enabled else { return }
        let now = DispatchTime.now()
        guard now.uptimeNanoseconds - lastDraw.uptimeNanoseconds > 100_000_000 else { return }
        lastDraw = now
        let m = progress.metrics
        let line = String(format: "\r\u{1B}[K%d tokens · %.1f tokens/s · %d tool calls · KV %d slots · %d pruned",
                          m.treeTokens, m.tokensPerSecond, m.toolCalls, progress.liveKVSlots, m.prunedTokens)
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
