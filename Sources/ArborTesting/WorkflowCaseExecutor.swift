import ArborModel
import ArborRuntime
import ArborSchema
import ArborSpec
import ArborTools

/// Runs a test case with the local model through ``WorkflowRunner``, always greedy with the
/// workflow's seed, so that the same model, workflow and tool results give the same run.
///
/// The model file is the executor's `modelPath`, else the workflow's `model.file`, else
/// Arbor's default (`ARBOR_MODEL`, then `models/SmolLM2-135M-Instruct.Q4_1.gguf`). The file,
/// tokenizer and chat template are loaded once and shared by all cases; each case gets its
/// own KV cache.
///
/// ```swift
/// let runner = TestRunner(executor: WorkflowCaseExecutor(threads: 2))
/// let report = await runner.run(TestSuiteLoader.load(paths: ["Workflows"]))
/// ```
public struct WorkflowCaseExecutor: CaseExecutor {
    public var modelPath: String?
    /// Kernel threads per case.
    public var threads: Int
    /// Nil: greedy, as `arbor test` runs. A number `i`: the workflow's own sampling settings
    /// with seed `seed + i` (`arbor eval --samples`, one run per sample).
    public var sample: Int?
    private let models = LoadedModelCache()
    /// The model files this executor has opened (a baseline executor may share them).
    var loadedModels: LoadedModelCache { models }

    public init(modelPath: String? = nil, threads: Int = 2) {
        self.modelPath = modelPath
        self.threads = max(1, threads)
    }

    /// The same executor (sharing the loaded models) for sample `index`.
    public func sampling(_ index: Int?) -> WorkflowCaseExecutor {
        var copy = self
        copy.sample = index
        return copy
    }

    public func execute(_ testCase: TestCase, workflow: Workflow, inputs: JSONObject, tools: any ToolInvoking) async throws -> CaseExecution {
        let path = try ModelLocator.resolve(explicitPath: modelPath ?? workflow.model.resolvedFile(workflowPath: testCase.workflowPath))
        let model = try await models.model(at: path)
        let transformer = try model.transformer(threads: threads, contextSlots: workflow.model.contextSize)
        let sampling = workflow.model.sampling
        var options = RunOptions(sampling: SamplerSettings(temperature: 0, topK: 1, topP: 1, minP: 0,
                                                           repetitionPenalty: Float(sampling.repetitionPenalty), seed: sampling.seed))
        if let sample {
            options.sampling = RunOptions(workflow: workflow).sampling
            options.sampling.seed = sampling.seed &+ UInt64(sample)
        }
        // pinned, so a cassette recorded on one CPU replays the same on any other
        options.numerics = .avx2
        let runner = WorkflowRunner(workflow: workflow, model: transformer, tokenizer: model.tokenizer, chatTemplate: try model.chatTemplate,
                                    tools: tools, options: options)
        let report = try await runner.run(inputs: inputs)
        let figures = report.metrics
        let metrics = CaseMetrics(promptTokens: figures.promptTokens, generatedTokens: figures.generatedTokens,
                                  forcedTokens: figures.forcedTokens, toolResultTokens: figures.toolResultTokens,
                                  peakKVSlots: figures.peakKVSlots, prunedTokens: figures.prunedTokens,
                                  toolCalls: figures.toolCalls, decodeSeconds: figures.decodeSeconds,
                                  roundsClosedAtTokenLimit: report.roundsClosedAtTokenLimit)
        return CaseExecution(output: report.output, toolCalls: report.toolCalls, metrics: metrics, reasoning: report.document)
    }
}
