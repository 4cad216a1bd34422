import ArborModel
import ArborRuntime
import ArborSchema
import ArborSpec
import ArborTools
import Dispatch

/// The plain chain-of-thought baseline of `arbor eval`: the same model, the same sampling
/// settings and the same instructions, asked in plain chat — no grammar, no tools, no
/// reasoning tree — and scored by ``AnswerExtractor``.
///
/// The prompt is one user message: the workflow's instructions rendered over the case's
/// inputs, then ``instruction``. Decoding stops at the end of the model's turn, once a line
/// `Answer: …` is finished, or after `maxTokens`. The output is the extracted answer placed at
/// the case's answer path (`$` or `$.name`), so the case's own assertion scores it.
///
/// ```swift
/// let baseline = FreeTextCaseExecutor(answers: ["wp-01": EvalAnswer(expected: 66)])
/// let runner = TestRunner(executor: baseline, options: TestRunOptions(mode: .live))
/// ```
public struct FreeTextCaseExecutor: CaseExecutor {
    /// What the model is told after the instructions.
    public static let instruction = ProsePrompt.instruction

    public var modelPath: String?
    public var threads: Int
    /// The most tokens the model may write; the workflow's `limits.max_tokens` when smaller.
    public var maxTokens: Int
    /// Nil: greedy. A number `i`: the workflow's sampling settings with seed `seed + i`.
    public var sample: Int?
    /// Per case name: the expected answer (a number or text: the extractor looks for that
    /// kind) and the output member it goes in.
    public var answers: [String: EvalAnswer]
    /// `--baseline program` (program-aided, as in PAL): when the text has a ```` ```python ````
    /// block whose arithmetic ``ProseProgram`` runs, the answer is read from that program's
    /// output instead of the model's text (``AnswerExtractor/programOutput(in:)``).
    public var runsPrograms = false
    private let models: LoadedModelCache

    public init(modelPath: String? = nil, threads: Int = 2, maxTokens: Int = 1024,
                answers: [String: EvalAnswer], sharing other: WorkflowCaseExecutor? = nil) {
        self.modelPath = modelPath
        self.threads = max(1, threads)
        self.maxTokens = maxTokens
        self.answers = answers
        models = other?.loadedModels ?? LoadedModelCache()
    }

    /// The same executor for sample `index`.
    public func sampling(_ index: Int?) -> FreeTextCaseExecutor {
        var copy = self
        copy.sample = index
        return copy
    }

    public func execute(_ testCase: TestCase, workflow: Workflow, inputs: JSONObject, tools: any ToolInvoking) async throws -> CaseExecution {
        let path = try ModelLocator.resolve(explicitPath: modelPath ?? workflow.model.resolvedFile(workflowPath: testCase.workflowPath))
        let model = try await models.model(at: path)
        let contextSlots = min(workflow.model.contextSize, model.config.contextLength)
        let transformer = try model.transformer(threads: threads, contextSlots: contextSlots)
        var settings = RunOptions(workflow: workflow).sampling
        if let sample { settings.seed = workflow.model.sampling.seed &+ UInt64(sample) } else {
            settings = SamplerSettings(temperature: 0, topK: 1, topP: 1, minP: 0, repetitionPenalty: settings.repetitionPenalty, seed: settings.seed)
        }
        var sampler = Sampler(settings: settings)

        let question = ProsePrompt.question(instructions: workflow.instructions.render(inputs))
        let prompt = try model.chatTemplate.render(messages: [.user(question)], addGenerationPrompt: true)
        let promptIDs = model.tokenizer.encode(prompt, parseSpecial: true)
        let limit = min(maxTokens, workflow.limits.maxTokens, contextSlots - promptIDs.count - 1)
        let start = DispatchTime.now()
        _ = try transformer.prefill(tokens: promptIDs, positions: (0..<Int32(promptIDs.count)).map { $0 })
        var streaming = StreamingDecoder(tokenizer: model.tokenizer)
        var generated: [Int32] = []
        var text = ""
        var position = Int32(promptIDs.count)
        while generated.count < limit {
            let token = sampler.sample(transformer.logits, history: generated)
            if token < 0 || model.tokenizer.isEndOfGeneration(token) { break }
            generated.append(token)
            text += streaming.push(token)
            if AnswerExtractor.hasFinishedAnswerLine(text) { break }
            _ = try transformer.decode(token: token, position: position)
            position += 1
        }
        text += streaming.finish()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9

        let answer = answers[testCase.name]
        let expected = answer?.expected ?? .number(0)
        let fromProgram = runsPrograms ? AnswerExtractor.programOutput(in: text).flatMap { AnswerExtractor.extract(from: $0, expecting: expected) } : nil
        let extracted = fromProgram ?? AnswerExtractor.extract(from: text, expecting: expected) ?? .null
        let output: JSONValue = answer?.member.map { .object([$0: extracted]) } ?? extracted
        let metrics = CaseMetrics(promptTokens: promptIDs.count, generatedTokens: generated.count, peakKVSlots: Int(position),
                                  decodeSeconds: seconds)
        return CaseExecution(output: output, metrics: metrics, reasoning: .string(text))
    }
}
