import ArborModel
import ArborRecording
import ArborRuntime
import ArborSchema
import ArborSpec
import ArborStore
import ArborTools
import Dispatch
import Foundation

/// Measures what durability costs: decoding speed with and without the SQLite store, and how
/// long a recorded run takes to produce its first new token after a resume.
///
/// - Overhead: the same greedy run (a workflow built in code, no tools) is decoded
///   `repetitions` times without a recorder, with a ``StoreRecorder`` on a SQLite file in a
///   temporary folder, and with one on a file tuned ``StoreTuning/sqliteDefaults`` (the store
///   before its tuning), the three back to back in an order that rotates, after one warm-up of
///   each. Tokens/s counts tree tokens over the decode time plus the final commit; each
///   repetition gives its own difference (their median is the figure), the process's CPU time
///   per token, and the recorder's own time on the decoding thread (the direct figure).
/// - Resume latency: a run whose working memory holds about `workingMemoryTokens` tokens is
///   recorded (steered by a long forced prefix, then a few sampled tokens), and the clock runs
///   from opening the store to the first newly sampled token: store open, progress read,
///   prompt and replay (KV rows copied back from the store, the last token computed), one
///   decode step. Loading the model is timed apart.
///
/// ```swift
/// let bench = try StoreBenchmark(modelPath: "models/SmolLM2-135M-Instruct.Q4_1.gguf", threads: 2)
/// let overhead = try await bench.measureOverhead(repetitions: 10)
/// let resume = try await bench.measureResume(workingMemoryTokens: 4096)
/// print(overhead.overheadPercent, resume.totalSeconds)
/// ```
public final class StoreBenchmark {
    /// Tokens/s of the same run without the store, with it, and with it as SQLite tunes it by
    /// itself (the store before ``StoreTuning/standard``), each repetition running all three
    /// back to back.
    public struct Overhead: Codable, Sendable, Equatable {
        /// Tree tokens (generated + forced) of one run.
        public var treeTokens: Int
        public var generatedTokens: Int
        /// One rate per repetition (tree tokens over decode seconds plus the final commit).
        public var withoutStore: [Double]
        public var withStore: [Double]
        /// With the store but without its events (``StoreRecorder/recordsEvents`` off): the
        /// baseline of what the live events cost.
        public var withStoreNoEvents: [Double] = []
        /// With a store tuned ``StoreTuning/sqliteDefaults``; empty when not measured.
        public var withDefaultsStore: [Double]
        /// Process CPU seconds per tree token (every thread, background checkpoints included),
        /// one per repetition.
        public var cpuWithoutStore: [Double]
        public var cpuWithStore: [Double]
        public var cpuWithDefaultsStore: [Double]
        /// The recorder's own time (``RecorderTimings/totalSeconds``) in percent of the rest of
        /// the run's decode time, one per repetition: the overhead measured directly.
        public var directWithStore: [Double]
        public var directWithDefaultsStore: [Double]
        /// The recorder's time by part, summed over the timed runs.
        public var timings: RecorderTimings
        public var defaultsTimings: RecorderTimings
        /// The write-ahead log of the tuned store over the timed runs.
        public var wal: WALStatistics
        /// Whether every run produced the same tree document (greedy decoding must).
        public var sameDocument: Bool

        public var withoutStoreMean: Double { StoreBenchmark.mean(withoutStore) }
        public var withStoreMean: Double { StoreBenchmark.mean(withStore) }
        public var withoutStoreStandardDeviation: Double { StoreBenchmark.standardDeviation(withoutStore) }
        public var withStoreStandardDeviation: Double { StoreBenchmark.standardDeviation(withStore) }
        /// How much slower decoding is with the store, in percent: the median over repetitions
        /// of each repetition's own difference (runs seconds apart, so slow drifts of the
        /// machine cancel).
        public var overheadPercent: Double { StoreBenchmark.median(pairedPercent(withStore)) }
        public var defaultsOverheadPercent: Double { StoreBenchmark.median(pairedPercent(withDefaultsStore)) }
        /// How much slower decoding is with the events than with the store alone, in percent:
        /// the median over repetitions of each one's own difference.
        public var eventsOverheadPercent: Double {
            StoreBenchmark.median(zip(withStoreNoEvents, withStore).map { without, with in without > 0 ? 100 * (without - with) / without : 0 })
        }
        /// Each repetition's slowdown in percent of its rate without the store.
        public func pairedPercent(_ rates: [Double]) -> [Double] {
            zip(withoutStore, rates).map { without, with in without > 0 ? 100 * (without - with) / without : 0 }
        }
        /// Each repetition's extra CPU time per token, in percent of the run's without the store.
        public func pairedCPUPercent(_ cpu: [Double]) -> [Double] {
            zip(cpuWithoutStore, cpu).map { without, with in without > 0 ? 100 * (with - without) / without : 0 }
        }
    }

    /// Where the time to the first new token of a resume goes.
    public struct ResumeLatency: Codable, Sendable, Equatable {
        public var promptTokens: Int
        /// Recorded tree tokens fed back into the model.
        public var replayedTokens: Int
        /// Opening the SQLite file (identity check, migrations already applied).
        public var storeOpenSeconds: Double
        /// ``RunStore/recordedProgress(runID:)``: the token log and the tool calls.
        public var progressReadSeconds: Double
        /// Building the prompt and putting it back into the cache.
        public var promptSeconds: Double
        /// Grammar, tracker and the recorded tree tokens put back into the cache (their KV rows
        /// copied from the store; the last token computed for its logits).
        public var replaySeconds: Double
        /// Sampling the first new token and feeding it (one decode step).
        public var firstTokenSeconds: Double
        /// Loading the model file (not part of the latency; every process pays it once).
        public var modelLoadSeconds: Double
        /// Tokens whose KV rows were copied back rather than computed.
        public var restoredTokens: Int

        /// Tokens in the KV cache when the first new token is sampled.
        public var workingMemoryTokens: Int { promptTokens + replayedTokens }
        /// From opening the store to the first new token.
        public var totalSeconds: Double {
            storeOpenSeconds + progressReadSeconds + promptSeconds + replaySeconds + firstTokenSeconds
        }
        /// Tokens put back per second (prompt and tree together).
        public var restoreTokensPerSecond: Double {
            let seconds = promptSeconds + replaySeconds
            return seconds > 0 ? Double(workingMemoryTokens) / seconds : 0
        }
    }

    public let modelPath: String
    public let threads: Int
    public let contextSlots: Int
    /// Seconds spent loading the model file, tokenizer and weights.
    public let modelLoadSeconds: Double
    /// The model file's SHA-256, recorded with every run the benchmark stores.
    let modelSHA256: String
    let model: Transformer
    let tokenizer: BPETokenizer
    let chatTemplate: ChatTemplate

    /// Loads the model once for every measurement; `contextSlots` bounds the working memory.
    public init(modelPath: String, threads: Int = 2, contextSlots: Int = 8192) throws {
        let start = DispatchTime.now()
        let loaded = try LoadedModel(path: modelPath)
        tokenizer = loaded.tokenizer
        chatTemplate = try loaded.chatTemplate
        let slots = min(contextSlots, loaded.config.contextLength)
        model = try loaded.transformer(threads: threads, contextSlots: slots)
        modelLoadSeconds = seconds(since: start)
        self.modelPath = modelPath
        self.threads = threads
        self.contextSlots = slots
        modelSHA256 = try FileDigest.sha256(ofFileAt: modelPath)
    }

    // MARK: - Checkpoint overhead

    /// Decodes the same run without the store, with it (``StoreTuning/standard``) and, when
    /// `baseline` is given, with a store tuned that way, rotating the order every repetition
    /// after one warm-up of each, and returns rates, CPU times and the recorder's own time.
    /// `essayCharacters` sets the length of the answer (about 4 characters a token), which
    /// the output schema forces, so the run ends on its own.
    public func measureOverhead(essayCharacters: Int = 1600, repetitions: Int = 10,
                                baseline: StoreTuning? = .sqliteDefaults) async throws -> Overhead {
        precondition(repetitions >= 1 && essayCharacters >= 1)
        let yaml = overheadYAML(essayCharacters: essayCharacters)
        let workflow = try Self.workflow(yaml)
        let runner = try await makeRunner(workflow)
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try RunStore(path: folder.appendingPathComponent("runs.sqlite").path)
        let baselineStore = try baseline.map { try RunStore(path: folder.appendingPathComponent("baseline.sqlite").path, tuning: $0) }
        let inputs: JSONObject = ["topic": "how a river shapes the valley it flows through"]

        var runCount = 0
        var documents = Set<String>()
        var result = Overhead(treeTokens: 0, generatedTokens: 0, withoutStore: [], withStore: [], withDefaultsStore: [],
                              cpuWithoutStore: [], cpuWithStore: [], cpuWithDefaultsStore: [], directWithStore: [],
                              directWithDefaultsStore: [], timings: RecorderTimings(), defaultsTimings: RecorderTimings(),
                              wal: WALStatistics(), sameDocument: true)
        // (store, events): none, the store, the store without events, the untuned store
        var arms: [(store: RunStore?, events: Bool)] = [(nil, false), (store, true), (store, false)]
        if let baselineStore { arms.append((baselineStore, true)) }
        var walBefore = WALStatistics()
        // One run each way before timing: page cache, grammar compilation, SQLite file growth.
        for rep in 0...repetitions {
            if rep == 1 { walBefore = store.walStatistics }
            for turn in 0..<arms.count {
                let arm = (turn + rep) % arms.count
                runCount += 1
                var recorder: StoreRecorder?
                if let armStore = arms[arm].store {
                    let runID = "bench-\(runCount)"
                    try armStore.createRun(try benchRun(id: runID, workflow: workflow, yaml: yaml, inputs: inputs))
                    recorder = StoreRecorder(store: armStore, runID: runID)
                    recorder?.recordsEvents = arms[arm].events
                    recorder?.tokenBytes = { [tokenizer] in tokenizer.decodeBytes($0) }
                }
                runner.recorder = recorder
                let cpuStart = Self.processCPUSeconds()
                let report = try await runner.run(inputs: inputs)
                let commitStart = DispatchTime.now()
                try recorder?.commit()
                let decodeSeconds = report.metrics.decodeSeconds + seconds(since: commitStart)
                let cpuSeconds = Self.processCPUSeconds() - cpuStart
                documents.insert(report.document.compactString)
                result.treeTokens = report.metrics.treeTokens
                result.generatedTokens = report.metrics.generatedTokens
                guard rep > 0 else { continue }
                let tokens = Double(report.metrics.treeTokens)
                let rate = tokens / decodeSeconds
                let recorderSeconds = recorder?.timings.totalSeconds ?? 0
                let direct = 100 * recorderSeconds / max(1e-9, decodeSeconds - recorderSeconds)
                switch arm {
                case 0:
                    result.withoutStore.append(rate)
                    result.cpuWithoutStore.append(cpuSeconds / tokens)
                case 1:
                    result.withStore.append(rate)
                    result.cpuWithStore.append(cpuSeconds / tokens)
                    result.directWithStore.append(direct)
                    if let recorder { result.timings.add(recorder.timings) }
                case 2:
                    result.withStoreNoEvents.append(rate)
                default:
                    result.withDefaultsStore.append(rate)
                    result.cpuWithDefaultsStore.append(cpuSeconds / tokens)
                    result.directWithDefaultsStore.append(direct)
                    if let recorder { result.defaultsTimings.add(recorder.timings) }
                }
            }
        }
        runner.recorder = nil
        store.waitForBackgroundCheckpoints()
        let walAfter = store.walStatistics
        result.wal = WALStatistics()
        result.wal.backgroundCheckpoints = walAfter.backgroundCheckpoints - walBefore.backgroundCheckpoints
        result.wal.backgroundSeconds = walAfter.backgroundSeconds - walBefore.backgroundSeconds
        result.wal.writerCheckpoints = walAfter.writerCheckpoints - walBefore.writerCheckpoints
        result.wal.writerCheckpointSeconds = walAfter.writerCheckpointSeconds - walBefore.writerCheckpointSeconds
        result.wal.largestLogBytes = walAfter.largestLogBytes
        result.sameDocument = documents.count == 1
        return result
    }

    private func overheadYAML(essayCharacters: Int) -> String {
        """
        arbor: 1
        name: bench-store-overhead
        instructions: |
          Write an essay about {{topic}}. Plan it in two short steps first, then write it.
        inputs:
          topic: str
        output:
          essay:
            type: str
            min_length: \(essayCharacters)
            max_length: \(essayCharacters + essayCharacters / 8 + 8)
        limits:
          max_depth: 1
          max_breadth: 2
          max_tool_calls: 0
          max_text_length: \(max(16, min(240, essayCharacters / 4)))
          max_tokens: \(essayCharacters + 1000)
        """
    }

    // MARK: - Shared

    func makeRunner(_ workflow: Workflow) async throws -> WorkflowRunner {
        WorkflowRunner(workflow: workflow, model: model, tokenizer: tokenizer, chatTemplate: chatTemplate,
                       tools: try await ToolBox(workflow: workflow), options: RunOptions(sampling: .greedy))
    }

    static func workflow(_ yaml: String) throws -> Workflow {
        let (workflow, diagnostics) = WorkflowLoader.load(text: yaml, file: "<store benchmark>")
        guard let workflow, !diagnostics.contains(where: { $0.severity == .error }) else {
            throw SpecError.invalid(diagnostics: diagnostics.filter { $0.severity == .error })
        }
        return workflow
    }

    /// A run record like `arbor run` makes: the spec text's and the model file's hashes, the inputs.
    func benchRun(id: String, workflow: Workflow, yaml: String, inputs: JSONObject) throws -> Run {
        try Run.recording(id: id, workflowName: workflow.name, specText: yaml, inputs: inputs, modelPath: modelPath,
                          modelSHA256: modelSHA256, options: RunOptions(sampling: .greedy))
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-bench-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The arithmetic mean (0 for no values).
    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// The middle value (the mean of the two middle ones for an even count).
    public static func median(_ values: [Double]) -> Double {
        quantile(values, 0.5)
    }

    /// The `q` quantile by linear interpolation between order statistics.
    public static func quantile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let at = q * Double(sorted.count - 1)
        let low = Int(at.rounded(.down)), high = Int(at.rounded(.up))
        return sorted[low] + (sorted[high] - sorted[low]) * (at - Double(low))
    }

    /// CPU seconds used by every thread of this process so far.
    static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The sample standard deviation (0 for fewer than two values).
    public static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let m = mean(values)
        return (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
    }
}

/// What the progress callback saw, for the closures that steer and time a benchmark run.
final class ProgressWatch {
    var latest = RunMetrics()
    var replayEnd: DispatchTime?
    var firstToken: DispatchTime?
}
