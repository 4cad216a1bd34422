import ArborModel
import ArborRecording
import ArborRuntime
import ArborSchema
import ArborSpec
import ArborStore
import Foundation
import MCP

/// One call of a workflow tool, from its arguments to its result: checked against the
/// workflow's inputs, queued, recorded and run like `arbor run`.
struct WorkflowCall {
    /// How a call ended: with a result for the client, or stopped (cancelled, or the server
    /// is shutting down), its run paused in the store.
    enum Outcome {
        case finished(CallTool.Result)
        case stopped(CallTool.Result)

        var result: CallTool.Result {
            switch self {
            case .finished(let result), .stopped(let result): return result
            }
        }
    }

    let tool: WorkflowTool
    let server: WorkflowServer
    let progress: ProgressReporter?
    let stop: StopFlag

    private var workflow: Workflow { tool.workflow }

    func run(arguments: JSONObject) async -> Outcome {
        let inputs: JSONObject
        do {
            inputs = try workflow.resolveInputs(arguments)
        } catch {
            return .finished(.failure("The arguments do not fit the inputs of `\(tool.name)`: \(Self.problems(error)). The tool's inputSchema says what each input takes."))
        }
        let modelPath: String
        do {
            modelPath = try ModelLocator.resolve(explicitPath: server.configuration.modelPath
                ?? workflow.model.resolvedFile(workflowPath: tool.path))
        } catch {
            return .finished(.failure("`\(tool.name)` cannot run: \(error)"))
        }
        let progress = self.progress
        do {
            try await server.queue.enter { ahead in
                progress?.report("queued: \(ahead) call\(ahead == 1 ? "" : "s") ahead of this one")
            }
        } catch {
            return .stopped(.failure("`\(tool.name)` was cancelled while it waited for its turn; nothing was run."))
        }
        let outcome = await runInTurn(inputs: inputs, modelPath: modelPath)
        await server.queue.leave()
        return outcome
    }

    /// The run itself, while this call holds the model.
    private func runInTurn(inputs: JSONObject, modelPath: String) async -> Outcome {
        if stop.isRequested {
            return .stopped(.failure("`\(tool.name)` was cancelled before it started; nothing was run."))
        }
        let configuration = server.configuration
        var options = RunOptions(workflow: workflow)
        if let maxTokens = configuration.maxTokens { options.maxTokens = maxTokens }
        let record: RecordedRun
        var execution: WorkflowExecution
        do {
            let model = try await server.models.model(at: modelPath)
            record = try RecordedRun.create(in: configuration.store, workflow: workflow, specText: tool.specText,
                                            inputs: inputs, modelPath: modelPath, options: options)
            execution = WorkflowExecution(workflow: workflow, model: model, options: options,
                                          threads: configuration.threads, record: record)
        } catch {
            return .finished(.failure("`\(tool.name)` cannot run: \(error)"))
        }
        progress?.report("run \(record.id) started (`arbor inspect \(record.id)` shows it)")
        let stop = self.stop
        execution.shouldStop = { stop.isRequested }
        if let progress { execution.onEvent = { progress.report(Self.message($0)) } }
        let meta = Metadata(additionalFields: ["arbor/run_id": .string(record.id)])
        let report: RunReport
        do {
            report = try await Self.decode(execution, inputs: inputs)
        } catch RuntimeError.interrupted {
            return .stopped(.failure("The run \(record.id) was stopped; everything decoded so far is saved. Resume it with `arbor resume \(record.id)`.",
                                     meta: meta))
        } catch {
            return .finished(.failure("The run \(record.id) of `\(tool.name)` ended in an error: \(error). `arbor inspect \(record.id)` shows what it did.",
                                      meta: meta))
        }
        let structured = tool.structuredContent(for: report.output)
        let text = Tool.Content.text(text: structured.compactString, annotations: nil, _meta: nil)
        if report.answerClosedAtTokenLimit {
            let limit = options.maxTokens ?? workflow.limits.maxTokens
            let warning = "The run \(record.id) reached its token limit (\(limit) tokens a round): its tree was closed the shortest way and the answer below was written in a small reserve, so it is not the model's own finish. Raise `limits.max_tokens` (or `arbor mcp --max-tokens`) for a full answer."
            return .finished(CallTool.Result(content: [.text(text: warning, annotations: nil, _meta: nil), text],
                                             structuredContent: Optional(structured.mcpValue), isError: true, _meta: meta))
        }
        return .finished(CallTool.Result(content: [text], structuredContent: Optional(structured.mcpValue), isError: false, _meta: meta))
    }

    /// Runs `execution` on the decoding thread where there is one (see ``DecodingThread``).
    private static func decode(_ execution: WorkflowExecution, inputs: JSONObject) async throws -> RunReport {
        if #available(macOS 15.0, *) {
            return try await withTaskExecutorPreference(DecodingThread.shared) { try await execution.run(inputs: inputs) }
        }
        return try await execution.run(inputs: inputs)
    }

    /// A progress message for a run event.
    static func message(_ event: ProgressEvent) -> String {
        switch event {
        case .taskFinished(let task):
            let tool = task.toolName.map { " (\($0))" } ?? ""
            return "task \(task.label)\(tool) finished: \(String(task.conclusion.prefix(200)))"
        case .toolCalled(let name, let arguments):
            return "calling \(name) \(String(arguments.compactString.prefix(200)))"
        }
    }

    /// The problems of an input error, as one sentence.
    static func problems(_ error: any Error) -> String {
        if case SpecError.invalidInputs(let problems) = error { return problems.joined(separator: "; ") }
        return "\(error)"
    }
}

extension CallTool.Result {
    /// A failed call: `isError` with a message the calling model can act on.
    static func failure(_ message: String, meta: Metadata? = nil) -> CallTool.Result {
        CallTool.Result(content: [.text(text: message, annotations: nil, _meta: nil)], isError: true, _meta: meta)
    }
}
