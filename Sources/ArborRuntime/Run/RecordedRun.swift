import ArborModel
import ArborSchema
import ArborSpec
import ArborStore
import ArborTools

/// A run's row in the store, from creation to its end: `running` while it decodes, then
/// `completed` with its answer, `paused` when it was stopped (it can be resumed) or `failed`
/// with the error.
///
/// ```swift
/// let record = try RecordedRun.create(in: store, workflow: workflow, specText: yaml, inputs: inputs,
///                                     modelPath: model.path, options: options)
/// let report = try await WorkflowExecution(workflow: workflow, model: model, options: options, record: record)
///     .run(inputs: inputs)
/// ```
public struct RecordedRun: Sendable {
    public let store: RunStore
    public let id: String

    public init(store: RunStore, id: String) {
        self.store = store
        self.id = id
    }

    /// Creates the row of a new run with the identity a resume checks (the spec text's and
    /// the model file's SHA-256) and the inputs with their defaults filled in.
    public static func create(in store: RunStore, workflow: Workflow, specText: String, inputs: JSONObject,
                              modelPath: String, options: RunOptions) throws -> RecordedRun {
        let id = Run.makeID()
        try store.createRun(try Run.recording(id: id, workflowName: workflow.name, specText: specText,
                                              inputs: try workflow.resolveInputs(inputs), modelPath: modelPath, options: options))
        return RecordedRun(store: store, id: id)
    }

    /// What the run recorded so far, for resuming it; the row goes back to `running`. Recorded
    /// KV rows are left out when `sameModel` is false (another model's keys and values would
    /// not fit the new weights).
    public func resume(sameModel: Bool) throws -> RecordedProgress {
        var progress = try store.recordedProgress(runID: id)
        if !sameModel { progress.kvRows = nil }
        try store.updateRunStatus(id, to: .running)
        return progress
    }

    /// Ends the row with the run's answer.
    func finish(_ report: RunReport) throws {
        try store.finishRun(id, outputJSON: report.output.compactString, closedAtTokenLimit: report.answerClosedAtTokenLimit)
    }

    /// Ends the row after `error`: paused when the run was stopped, failed otherwise.
    func end(after error: any Error) {
        if case RuntimeError.interrupted = error {
            try? store.updateRunStatus(id, to: .paused)
        } else if (error as? any RunPausingError)?.pausesRun == true {
            try? store.updateRunStatus(id, to: .paused)
        } else {
            try? store.failRun(id, error: "\(error)")
        }
    }
}

/// One run of a workflow on a loaded model, start to end: the transformer, the workflow's
/// tools, the recorder and the run's row (``RecordedRun``); tools are shut down however it ends.
public struct WorkflowExecution {
    public var workflow: Workflow
    public var model: LoadedModel
    public var options: RunOptions
    /// Kernel threads.
    public var threads: Int
    /// The row the run is recorded in; nil runs without a record (it cannot be resumed).
    public var record: RecordedRun?
    /// See ``WorkflowRunner/onProgress``.
    public var onProgress: ((RunProgress) -> Void)?
    /// See ``WorkflowRunner/shouldStop``.
    public var shouldStop: (() -> Bool)?
    /// Told when a task finishes or a tool is called (see ``ProgressEvent``), on the decoding thread.
    public var onEvent: ((ProgressEvent) -> Void)?
    /// Decodes through this backend (a serving engine) instead of the model's in-process
    /// transformer; the model still gives the tokenizer and the chat template.
    public var backend: (any DecodingBackend)?

    public init(workflow: Workflow, model: LoadedModel, options: RunOptions, threads: Int = 2, record: RecordedRun? = nil) {
        self.workflow = workflow
        self.model = model
        self.options = options
        self.threads = threads
        self.record = record
    }

    /// Runs (or resumes, with `progress`) and returns the report; the row says how it ended,
    /// and the error is rethrown (``RuntimeError/interrupted`` when it was stopped).
    public func run(inputs: JSONObject, resuming progress: RecordedProgress? = nil) async throws -> RunReport {
        let transformer: any DecodingBackend
        let toolBox: ToolBox
        do {
            transformer = try backend ?? model.transformer(threads: threads, contextSlots: workflow.model.contextSize)
            toolBox = try await ToolBox(workflow: workflow)
        } catch {
            // A tool server that cannot start ends the run before its first token; the row says why.
            record?.end(after: error)
            throw error
        }
        let runner = WorkflowRunner(workflow: workflow, model: transformer, tokenizer: model.tokenizer,
                                    chatTemplate: try model.chatTemplate, tools: toolBox, options: options)
        runner.onProgress = onProgress
        let recorder = record.map { StoreRecorder(store: $0.store, runID: $0.id) }
        // a stop asked for in the store (by another process) stops the run like SIGINT does
        runner.shouldStop = { [shouldStop] in shouldStop?() == true || recorder?.stopIsRequested == true }
        let tokenizer = model.tokenizer
        recorder?.tokenBytes = { tokenizer.decodeBytes($0) }
        runner.recorder = onEvent.map { ObservingRecorder(inner: recorder, onEvent: $0) } ?? recorder
        do {
            let report = try await runner.run(inputs: inputs, resuming: progress)
            try recorder?.commit()
            await toolBox.shutdown()
            try record?.finish(report)
            return report
        } catch {
            await toolBox.shutdown()
            try? recorder?.commit()
            record?.end(after: error)
            throw error
        }
    }
}
