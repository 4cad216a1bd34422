import ArborModel
import ArborRecording
import ArborRemote
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
    @Option(name: .long, help: "Kernel threads of each run (default 2; with --jobs N, the cores divided among the runs).")
    var threads: Int?

    @Flag(name: .long, help: "Print one JSON object: the answer, the tree, the tool calls, the metrics and the run id.")
    var json = false

    @Flag(name: .long, help: "Also print the reasoning tree readably (to standard error; the answer goes to standard output).")
    var tree = false

    @Flag(name: .long, help: "No live status line.")
    var quiet = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
    }

    /// The kernel threads of each of `jobs` runs decoding at once in-process.
    func kernelThreads(jobs: Int = 1) -> Int {
        threads ?? (jobs == 1 ? 2 : max(1, ProcessInfo.processInfo.activeProcessorCount / jobs))
    }
}

struct RunExecution {
    var workflow: Workflow
    var modelPath: String
    var options: RunOptions
    var output: RunOutputOptions

    /// Runs (or resumes, with `progress`) and prints the result; `record` keeps it in the store.
    func execute(inputs: JSONObject, record: RecordedRun?, progress: RecordedProgress? = nil) async throws {
        let model = try LoadedModel(path: modelPath)
        var execution = WorkflowExecution(workflow: workflow, model: model, options: options,
                                          threads: output.kernelThreads(), record: record)
        if let refusal = Self.backendRefusal(workflow: workflow, options: options) {
            FileHandle.standardError.write(Data("arbor: \(refusal)\n".utf8))
            if let record { try? record.store.failRun(record.id, error: "a serving engine cannot decode tree_syntax \(workflow.model.treeSyntax.rawValue)") }
            throw ExitCode(1)
        }
        let remote = try options.servingEngine.map { try Self.connect($0, tokenizer: model.tokenizer, record: record) }
        execution.backend = remote
        defer { if let remote { FileHandle.standardError.write(Data((remote.usage.summaryLine + "\n").utf8)) } }
        let status = LiveStatusLine(enabled: !output.quiet && !output.json)
        execution.onProgress = { progress in status.draw { progress.statusText } }
        let stopRequest = StopRequest()
        execution.shouldStop = { stopRequest.isRequested }
        let report: RunReport
        do {
            report = try await execution.run(inputs: inputs, resuming: progress)
            status.clear()
        } catch {
            status.clear()
            if let pausing = error as? RemoteError, pausing.pausesRun, let record {
                FileHandle.standardError.write(Data("arbor: \(pausing)\nResume with: arbor resume \(record.id)\n".utf8))
                throw ExitCode(75)
            }
            if case RuntimeError.interrupted = error, let record {
                FileHandle.standardError.write(Data("arbor: stopped; everything decoded so far is saved. Resume with: arbor resume \(record.id)\n".utf8))
                throw ExitCode(130)
            }
            FileHandle.standardError.write(Data("arbor run: \(error)\n".utf8))
            throw ExitCode(1)
        }
        print(report: report, runID: record?.id)
    }

    /// Why `workflow` cannot run through the serving engine `options` name, or nil when it can.
    static func backendRefusal(workflow: Workflow, options: RunOptions) -> String? {
        guard options.servingEngine != nil && workflow.model.treeSyntax != .json else { return nil }
        return "--backend decodes the JSON tree only; `model.tree_syntax: \(workflow.model.treeSyntax.rawValue)` reads the model's raw scores before each token (the end rule, the prose computations), which a server's segment does not return. Run it without --backend, or set `model.tree_syntax: json`."
    }

    /// A backend over `engine`, its tokenizer checked against `tokenizer`; a server that
    /// cannot be reached or differs ends the run before its first token (paused or failed).
    static func connect(_ engine: ServingEngine, tokenizer: BPETokenizer, record: RecordedRun?) throws -> RemoteBackend {
        let backend = RemoteBackend(engine: engine, tokenizer: tokenizer)
        do {
            try backend.checkTokenizer()
        } catch {
            FileHandle.standardError.write(Data("arbor: \(error)\n".utf8))
            if let record { try? record.store.updateRunStatus(record.id, to: (error as? RemoteError)?.pausesRun == true ? .paused : .failed) }
            throw ExitCode(1)
        }
        return backend
    }

    private func print(report: RunReport, runID: String?) {
        // Said even with --json (which also carries the flag), so that no one mistakes it for a normal finish.
        if let warning = report.tokenLimitWarning { FileHandle.standardError.write(Data("arbor: \(warning)\n".utf8)) }
        if output.json {
            var object = report.json.objectValue ?? [:]
            if let runID { object["run_id"] = .string(runID) }
            Swift.print(JSONValue.object(object).prettyString)
            return
        }
        if output.tree { FileHandle.standardError.write(Data(ReasoningTreeText.render(report.document).utf8)) }
        Swift.print(report.output.prettyString)
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

extension RunProgress {
    /// The live status line of one run: `812 tokens · 41.3 tokens/s · 3 tool calls · KV 604 slots · 208 pruned`.
    var statusText: String {
        String(format: "%d tokens · %.1f tokens/s · %d tool calls · KV %d slots · %d pruned",
               metrics.treeTokens, metrics.tokensPerSecond, metrics.toolCalls, liveKVSlots, metrics.prunedTokens)
    }
}
