import ArborGrammar
import ArborModel
import ArborSchema
import ArborSpec
import ArborTools
import Dispatch

/// Runs a workflow: decodes its reasoning tree under the tree grammar, prunes finished
/// subtask lists from the KV cache, calls tools at each `"tool_result":` and returns the
/// answer checked against the output schema.
///
/// ```swift
/// let runner = WorkflowRunner(workflow: workflow, model: transformer, tokenizer: tokenizer,
///                             chatTemplate: template, tools: toolBox)
/// let report = try await runner.run(inputs: ["problem": "12 * 7 + 5"])
/// print(report.output.prettyString, report.metrics.prunedShare)
/// ```
public final class WorkflowRunner {
    public let workflow: Workflow
    public let model: any DecodingBackend
    public let tokenizer: BPETokenizer
    public let chatTemplate: ChatTemplate
    public let tools: any ToolInvoking
    public var options: RunOptions
    /// Called after every step with the run's numbers so far (for a live status line).
    public var onProgress: ((RunProgress) -> Void)?
    /// Receives tokens, tasks and tool calls as they happen (the run's durable record).
    public var recorder: (any RunRecorder)?
    /// Asked before every step; returning true stops the run with ``RuntimeError/interrupted``
    /// (after the recorder has what was decoded so far).
    public var shouldStop: (() -> Bool)?

    public init(workflow: Workflow, model: any DecodingBackend, tokenizer: BPETokenizer, chatTemplate: ChatTemplate,
                tools: any ToolInvoking, options: RunOptions? = nil) {
        self.workflow = workflow
        self.model = model
        self.tokenizer = tokenizer
        self.chatTemplate = chatTemplate
        self.tools = tools
        self.options = options ?? RunOptions(workflow: workflow)
    }

    /// Runs the workflow on `inputs` (defaults filled in, checked against the inputs schema).
    /// The model's sequence is emptied first.
    ///
    /// With `progress` (a recorded run's tokens and finished tool calls), the run first
    /// replays them — no sampling, no tool call — and then goes on; with greedy sampling the
    /// result equals an uninterrupted run's byte for byte.
    ///
    /// The recorded KV rows (``RecordedProgress/kvRows``) are copied back instead of computing
    /// the context when they fit this model; the store offers them only when every token the
    /// replay keeps cached has its row, so a resume decides once, before replaying, whether it
    /// copies or computes.
    public func run(inputs given: JSONObject, resuming progress: RecordedProgress? = nil) async throws -> RunReport {
        try await runRounds(inputs: given, resuming: progress)
    }

    /// A later round's prompt must match the record when resuming; otherwise it is recorded
    /// (and the result says so).
    func checkOrRecordPrompt(_ fed: [Int32], round: Int, seq: Int, progress: RecordedProgress?,
                                     offset: inout Int) throws -> Bool {
        if round == 0, let progress, !progress.promptTokens.isEmpty {
            guard progress.promptTokens == fed else {
                throw RuntimeError.replayMismatch(seq: 0, reason: "the prompt built now differs from the recorded one")
            }
            return false
        }
        if round > 0, let progress, offset < progress.tokens.count {
            let recorded = progress.tokens[offset...].prefix { $0.kind == .prompt }.map(\.id)
            guard recorded == fed else {
                throw RuntimeError.replayMismatch(seq: seq, reason: "round \(round)'s prompt differs from the recorded one")
            }
            offset += recorded.count
            return false
        }
        try recorder?.appended(fed, kind: .prompt, firstSeq: seq, taskPath: nil, round: round)
        return true
    }

    /// The grammar of a round's tree as the model types it (`model.tree_syntax`).
    func compileGrammar(serverTools: [String: JSONValue], isSummaryRound: Bool, isOpenEnded: Bool = false) throws -> CompiledGrammar {
        var spec = try ReasoningTreeSpec(workflow: workflow, serverTools: serverTools, isSummaryRound: isSummaryRound)
        spec.isOpenEnded = isOpenEnded
        let tree: SchemaGrammar
        switch workflow.model.treeSyntax {
        case .json: tree = try TreeGrammarBuilder.grammar(for: spec)
        case .steps: tree = try StepsGrammarBuilder.grammar(for: spec)
        case .prose: tree = try ProseGrammarBuilder.grammar(for: spec)
        }
        return try VocabularyCache.shared.compiled(tree.grammar, for: tokenizer)
    }

    /// The reader of a tree typed in the `steps` or `prose` syntax; nil for JSON.
    func stepsReader(serverTools: [String: JSONValue]) throws -> StepsReader? {
        let syntax = workflow.model.treeSyntax
        return syntax == .json ? nil : StepsReader(syntax: syntax, spec: try ReasoningTreeSpec(workflow: workflow, serverTools: serverTools))
    }
}

