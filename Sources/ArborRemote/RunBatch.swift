import ArborModel
import ArborRecording
import ArborRuntime
import ArborSchema
import ArborSpec
import ArborStore
import Foundation

/// Many runs of one workflow, `jobs` at a time: against one serving engine (each run its own
/// sequence, which the server batches into its slots) or in-process (one loaded model, one
/// transformer and KV cache per run). Each run is recorded as its own row, so each can be
/// inspected and resumed alone.
///
/// Each run decodes on a thread of its own (``ThreadExecutor``): its decode loop blocks on
/// forward passes or segment requests, which on the cooperative pool would let only as many
/// runs proceed as there are cores.
///
/// ```swift
/// let batch = RunBatch(workflow: workflow, specText: yaml, model: model, options: options, jobs: 4, store: store)
/// let outcomes = await batch.run(cases)
/// ```
public final class RunBatch: @unchecked Sendable {
    /// How one run of the batch ended.
    public struct Outcome: Sendable, Equatable {
        public enum Status: String, Sendable, Equatable {
            case completed
            /// Stopped resumable: interrupted, or the server stayed down.
            case paused
            case failed
        }

        /// The inputs file's line.
        public var line: Int
        /// The run's row (nil when not recorded).
        public var runID: String?
        public var status: Status
        public var output: JSONValue?
        public var error: String?
        /// Tokens of the tree (written, forced, tool results) and tokens the model wrote.
        public var treeTokens = 0
        public var generatedTokens = 0
        public var toolCalls = 0
        public var seconds = 0.0
        /// What the run cost the server (remote runs).
        public var usage: RemoteBackend.Usage?
    }

    public let workflow: Workflow
    public let specText: String
    public let model: LoadedModel
    public let options: RunOptions
    /// Kernel threads of each in-process run.
    public let threads: Int
    public let jobs: Int
    /// Where each run is recorded; nil runs unrecorded (not resumable).
    public let store: RunStore?
    /// Told when a run ends, with the outcomes so far (in the order runs ended).
    public var onFinish: (@Sendable (Outcome) -> Void)?
    /// Told after each step of any run: the tree tokens of all runs so far and the runs
    /// running now.
    public var onProgress: (@Sendable (_ treeTokens: Int, _ running: Int) -> Void)?
    /// Checked before every step of every run; true stops them all, paused.
    public var shouldStop: (@Sendable () -> Bool)?

    private let lock = NSLock()
    private var tokensOfRunning: [Int: Int] = [:]
    private var tokensOfFinished = 0

    public init(workflow: Workflow, specText: String, model: LoadedModel, options: RunOptions, threads: Int = 1,
                jobs: Int, store: RunStore?) {
        self.workflow = workflow
        self.specText = specText
        self.model = model
        self.options = options
        self.threads = max(1, threads)
        self.jobs = max(1, jobs)
        self.store = store
    }

    /// Runs every case, `jobs` at a time; outcomes keep the order of `cases`.
    public func run(_ cases: [InputCase]) async -> [Outcome] {
        var outcomes = [Outcome?](repeating: nil, count: cases.count)
        await withTaskGroup(of: (Int, Outcome).self) { group in
            var next = 0
            func startNext() {
                guard next < cases.count else { return }
                let index = next
                next += 1
                group.addTask { (index, await self.runOnOwnThread(cases[index], index: index)) }
            }
            for _ in 0..<min(jobs, cases.count) { startNext() }
            while let (index, outcome) = await group.next() {
                outcomes[index] = outcome
                onFinish?(outcome)
                startNext()
            }
        }
        return outcomes.compactMap { $0 }
    }

    private func runOnOwnThread(_ input: InputCase, index: Int) async -> Outcome {
        if #available(macOS 15.0, *) {
            let executor = ThreadExecutor(name: "arbor-run-\(input.line)")
            defer { executor.shutdown() }
            return await withTaskExecutorPreference(executor) { await self.run(input, index: index) }
        }
        return await run(input, index: index)
    }

    /// One run, start to end; every failure becomes the outcome (the row says it too).
    private func run(_ input: InputCase, index: Int) async -> Outcome {
        let start = ContinuousClock.now
        var outcome = Outcome(line: input.line, status: .failed)
        var backend: RemoteBackend?
        do {
            let record = try store.map {
                try RecordedRun.create(in: $0, workflow: workflow, specText: specText, inputs: input.inputs,
                                       modelPath: model.path, options: options)
            }
            outcome.runID = record?.id
            var execution = WorkflowExecution(workflow: workflow, model: model, options: options, threads: threads, record: record)
            if let engine = options.servingEngine {
                backend = RemoteBackend(engine: engine, tokenizer: model.tokenizer)
                execution.backend = backend
            }
            execution.shouldStop = shouldStop
            execution.onProgress = { [self] progress in
                let (total, running) = lock.withLock {
                    tokensOfRunning[index] = progress.metrics.treeTokens
                    return (tokensOfFinished + tokensOfRunning.values.reduce(0, +), tokensOfRunning.count)
                }
                onProgress?(total, running)
            }
            let report = try await execution.run(inputs: input.inputs)
            outcome.status = .completed
            outcome.output = report.output
            outcome.treeTokens = report.metrics.treeTokens
            outcome.generatedTokens = report.metrics.generatedTokens
            outcome.toolCalls = report.toolCalls.count
        } catch {
            let pauses = (error as? any RunPausingError)?.pausesRun == true
            if case RuntimeError.interrupted = error { outcome.status = .paused } else { outcome.status = pauses ? .paused : .failed }
            outcome.error = "\(error)"
        }
        lock.withLock {
            tokensOfFinished += outcome.status == .completed ? outcome.treeTokens : tokensOfRunning[index] ?? 0
            tokensOfRunning[index] = nil
        }
        outcome.usage = backend?.usage
        outcome.seconds = Self.seconds(since: start)
        return outcome
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return elapsed.inSeconds
    }
}
