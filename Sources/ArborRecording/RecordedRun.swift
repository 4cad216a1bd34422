import ArborModel
import ArborRuntime
import ArborSchema
import ArborSpec
import ArborStore

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
public struct RecordedRun: RunRecord {
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

    /// A ``StoreRecorder`` writing into this row.
    public func makeRecorder(tokenBytes: @escaping ([Int32]) -> [UInt8]) -> any CommittingRunRecorder {
        let recorder = StoreRecorder(store: store, runID: id)
        recorder.tokenBytes = tokenBytes
        return recorder
    }

    /// Ends the row with the run's answer.
    public func finish(_ report: RunReport) throws {
        try store.finishRun(id, outputJSON: report.output.compactString, closedAtTokenLimit: report.answerClosedAtTokenLimit)
    }

    public func pause() throws {
        try store.updateRunStatus(id, to: .paused)
    }

    public func fail(error: any Error) throws {
        try store.failRun(id, error: "\(error)")
    }
}
