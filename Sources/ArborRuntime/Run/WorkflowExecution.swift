import ArborModel
import ArborSchema
import ArborSpec
import ArborTools

/// One run of a workflow on a loaded model, start to end: the transformer, the workflow's
/// tools, the recorder and the run's record (``RunRecord``); tools are shut down however it ends.
///
/// ```swift
/// let report = try await WorkflowExecution(workflow: workflow, model: model, options: options, record: record)
///     .run(inputs: inputs)
/// ```
public struct WorkflowExecution {
    public var workflow: Workflow
    public var model: LoadedModel
    public var options: RunOptions
    /// Kernel threads.
    public var threads: Int
    /// Where the run is recorded; nil runs without a record (it cannot be resumed).
    public var record: (any RunRecord)?
    /// See ``WorkflowRunner/onProgress``.
    public var onProgress: ((RunProgress) -> Void)?
    /// See ``WorkflowRunner/shouldStop``.
    public var shouldStop: (() -> Bool)?
    /// Told when a task finishes or a tool is called (see ``ProgressEvent``), on the decoding thread.
    public var onEvent: ((ProgressEvent) -> Void)?
    /// Decodes through this backend (a serving engine) instead of the model's in-process
    /// transformer; the model still gives the tokenizer and the chat template.
    public var backend: (any DecodingBackend)?
    /// Stands in front of the workflow's live tools for this run, when set: a
    /// `ToolResultReplay` answers the calls an earlier run made with that run's results, so
    /// that a tool that reads the clock or a changing source gives both runs the same answer.
    public var tools: ((ToolBox) -> any ToolInvoking)?

    public init(workflow: Workflow, model: LoadedModel, options: RunOptions, threads: Int = 2, record: (any RunRecord)? = nil) {
        self.workflow = workflow
        self.model = model
        self.options = options
        self.threads = threads
        self.record = record
    }

    /// Runs (or resumes, with `progress`) and returns the report; the record says how it ended,
    /// and the error is rethrown (``RuntimeError/interrupted`` when it was stopped).
    public func run(inputs: JSONObject, resuming progress: RecordedProgress? = nil) async throws -> RunReport {
        let transformer: any DecodingBackend
        let toolBox: ToolBox
        do {
            transformer = try backend ?? model.transformer(threads: threads, contextSlots: workflow.model.contextSize)
            toolBox = try await ToolBox(workflow: workflow)
        } catch {
            // A tool server that cannot start ends the run before its first token; the record says why.
            record?.end(after: error)
            throw error
        }
        let runner = WorkflowRunner(workflow: workflow, model: transformer, tokenizer: model.tokenizer,
                                    chatTemplate: try model.chatTemplate, tools: tools?(toolBox) ?? toolBox, options: options)
        runner.onProgress = onProgress
        let tokenizer = model.tokenizer
        let recorder = record?.makeRecorder { tokenizer.decodeBytes($0) }
        // a stop asked for in the record (by another process) stops the run like SIGINT does
        runner.shouldStop = { [shouldStop] in shouldStop?() == true || recorder?.stopIsRequested == true }
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
