import ArborModel
import ArborRemote
import ArborRuntime
import ArborSchema
import ArborSpec
import ArborStore
import Dispatch

/// The remote path under load: many runs of a workflow against one serving engine, `jobs` at
/// a time (runs/s, tokens/s), and the tool-loop benchmark's synthetic tree through the same
/// engine with N tool calls (what each tool call costs when every call ends a segment and
/// the next request re-sends the sequence).
///
/// Every run of the batch gets a problem of its own, so that no run finds another's tokens
/// in the server's prompt cache beyond the shared prompt.
///
/// ```swift
/// let bench = RemoteBenchmark(workflow: workflow, specText: yaml, model: model, engine: engine, maxTokens: 128)
/// let row = try await bench.runs(jobs: 4, count: 8)
/// print(row.runsPerSecond, row.tokensPerSecond)
/// ```
public final class RemoteBenchmark {
    /// One batch of runs at one concurrency.
    public struct JobsResult: Codable, Sendable, Equatable {
        public var jobs: Int
        public var runs: Int
        public var completed: Int
        public var wallSeconds: Double
        /// Tree tokens of all runs (written, forced, tool results).
        public var treeTokens: Int
        /// Tokens the server wrote that the runs kept.
        public var generatedTokens: Int
        public var requests: Int
        public var promptTokensSent: Int
        public var promptTokensCached: Int

        public var runsPerSecond: Double { wallSeconds > 0 ? Double(completed) / wallSeconds : 0 }
        public var tokensPerSecond: Double { wallSeconds > 0 ? Double(treeTokens) / wallSeconds : 0 }
        public var generatedPerSecond: Double { wallSeconds > 0 ? Double(generatedTokens) / wallSeconds : 0 }
    }

    /// The synthetic tree with N tool calls, through the engine.
    public struct ToolCallResult: Codable, Sendable, Equatable {
        public var toolCalls: Int
        public var tasks: Int
        public var treeTokens: Int
        public var decodeSeconds: Double
        public var requests: Int
        public var promptTokensSent: Int
        public var promptTokensCached: Int

        public var tokensPerSecond: Double { decodeSeconds > 0 ? Double(treeTokens) / decodeSeconds : 0 }
    }

    public let workflow: Workflow
    public let specText: String
    public let model: LoadedModel
    public let engine: ServingEngine
    /// Tokens each run of a batch may write (the workflow's limit when nil).
    public let maxTokens: Int?
    private var nextProblem = 0

    public init(workflow: Workflow, specText: String, model: LoadedModel, engine: ServingEngine, maxTokens: Int?) {
        self.workflow = workflow
        self.specText = specText
        self.model = model
        self.engine = engine
        self.maxTokens = maxTokens
    }

    /// `count` greedy runs, `jobs` at a time, recorded in an in-memory store (recording is
    /// part of a run's cost); failed runs count in the wall time but not in runs/s.
    public func runs(jobs: Int, count: Int) async throws -> JobsResult {
        guard let input = workflow.inputs.first?.name else { throw RemoteBenchmarkError.noInput(workflow: workflow.name) }
        var cases: [InputCase] = []
        for index in 0..<count {
            let (a, b) = (12 + 7 * nextProblem % 83, 3 + 5 * nextProblem % 41)
            nextProblem += 1
            cases.append(InputCase(line: index + 1, inputs: try workflow.resolveInputs([input: .string("What is \(a) * \(b) + \(nextProblem)?")])))
        }
        var options = RunOptions(workflow: workflow)
        options.setTemperature(0)
        options.maxTokens = maxTokens
        options.servingEngine = engine
        let batch = RunBatch(workflow: workflow, specText: specText, model: model, options: options, jobs: jobs, store: try RunStore())
        let start = DispatchTime.now()
        let outcomes = await batch.run(cases)
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        if let failed = outcomes.first(where: { $0.status != .completed }) {
            throw RemoteBenchmarkError.runFailed(line: failed.line, error: failed.error ?? failed.status.rawValue)
        }
        let usage = outcomes.compactMap(\.usage).reduce(RemoteBackend.Usage(), +)
        return JobsResult(jobs: jobs, runs: count, completed: outcomes.count, wallSeconds: wall,
                          treeTokens: outcomes.reduce(0) { $0 + $1.treeTokens }, generatedTokens: outcomes.reduce(0) { $0 + $1.generatedTokens },
                          requests: usage.requests, promptTokensSent: usage.promptTokensSent, promptTokensCached: usage.promptTokensCached)
    }

    /// The tool-loop benchmark's tree (Arbor mode, pruning on) with each of `counts` tool
    /// calls and at least `minimumTasks` top-level tasks (10, as `arbor bench tools`),
    /// decoded through the engine one run at a time.
    /// `onResult` is told each count's result as soon as it is measured.
    public func toolCalls(_ counts: [Int], minimumTasks: Int = 10,
                          onResult: (ToolCallResult) -> Void = { _ in }) async throws -> [ToolCallResult] {
        let minimumTasks = max(1, minimumTasks)
        let maxTasks = counts.map { max($0, minimumTasks) }.max() ?? minimumTasks
        let backend = RemoteBackend(engine: engine, tokenizer: model.tokenizer)
        let bench = ToolLoopBenchmark(model: backend, tokenizer: model.tokenizer, chatTemplate: try model.chatTemplate, maxTasks: maxTasks)
        _ = try await bench.run(toolCalls: 1, tasks: 2, mode: .arbor)
        var results: [ToolCallResult] = []
        for count in counts {
            let before = backend.usage
            let result = try await bench.run(toolCalls: count, tasks: max(count, minimumTasks), mode: .arbor)
            let after = backend.usage
            results.append(ToolCallResult(toolCalls: count, tasks: result.tasks, treeTokens: result.treeTokens, decodeSeconds: result.decodeSeconds,
                                          requests: after.requests - before.requests,
                                          promptTokensSent: after.promptTokensSent - before.promptTokensSent,
                                          promptTokensCached: after.promptTokensCached - before.promptTokensCached))
            onResult(results[results.count - 1])
        }
        return results
    }

    /// Seconds per tool call beyond what the tree would take at the tool-free rate:
    /// (decode seconds − tree tokens / tokens-per-second at 0 calls) / calls.
    public static func secondsPerToolCall(_ result: ToolCallResult, baseline: ToolCallResult) -> Double? {
        guard result.toolCalls > 0, baseline.tokensPerSecond > 0 else { return nil }
        return (result.decodeSeconds - Double(result.treeTokens) / baseline.tokensPerSecond) / Double(result.toolCalls)
    }
}

/// Why the remote benchmark could not measure.
public enum RemoteBenchmarkError: Error, Sendable, CustomStringConvertible {
    case noInput(workflow: String)
    case runFailed(line: Int, error: String)

    public var description: String {
        switch self {
        case .noInput(let workflow):
            return "The workflow `\(workflow)` has no input to vary between runs; give the benchmark a workflow with an input (e.g. Workflows/math-solver.yaml)."
        case .runFailed(let line, let error):
            return "Run \(line) of the batch did not complete: \(error)"
        }
    }
}
