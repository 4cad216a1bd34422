/// Where a run is kept from its start to its end, for ``WorkflowExecution``: it hands out the
/// recorder that writes the run as it decodes, and says how the run ended.
///
/// The runtime knows nothing of the storage behind it; ArborRecording's `RecordedRun` keeps
/// the run as a row of the SQLite store (`running`, then `completed`, `paused` or `failed`).
///
/// ```swift
/// let record = try RecordedRun.create(in: store, workflow: workflow, specText: yaml, inputs: inputs,
///                                     modelPath: model.path, options: options)
/// let report = try await WorkflowExecution(workflow: workflow, model: model, options: options, record: record)
///     .run(inputs: inputs)
/// ```
public protocol RunRecord: Sendable {
    /// A recorder that writes the run into this record; `tokenBytes` gives the bytes of token
    /// ids (the model's tokenizer), for records that keep the run's text as well as its ids.
    func makeRecorder(tokenBytes: @escaping ([Int32]) -> [UInt8]) -> any CommittingRunRecorder
    /// The run answered: the record keeps its answer.
    func finish(_ report: RunReport) throws
    /// The run stopped before answering and can be resumed.
    func pause() throws
    /// The run ended with `error` and cannot go on.
    func fail(error: any Error) throws
}

/// A recorder that buffers what it receives and writes it at commit points; a commit may also
/// learn that someone (another process) asked the run to stop.
public protocol CommittingRunRecorder: RunRecorder {
    /// Writes everything buffered.
    func commit() throws
    /// Whether a stop was asked for, as read at the last commit: the run checks it before each
    /// step and ends paused.
    var stopIsRequested: Bool { get }
}

extension RunRecord {
    /// Ends the record after `error`: paused when the run was stopped (or its backend went
    /// away in a way a resume can recover from), failed otherwise. A record that cannot be
    /// written here is left as it is: the error that ended the run is the one to report.
    func end(after error: any Error) {
        if case RuntimeError.interrupted = error {
            try? pause()
        } else if (error as? any RunPausingError)?.pausesRun == true {
            try? pause()
        } else {
            try? fail(error: error)
        }
    }
}
