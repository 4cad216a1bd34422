import ArborModel
import ArborRecording
import ArborRuntime
import ArborSchema
import ArborSpec
import ArborStore
import ArgumentParser
import Foundation

/// `arbor resume RUN_ID`: continues a recorded run where its record ends.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a run that was stopped or killed, from its last commit.",
        discussion: """
            The recorded tokens are replayed into the model (no tool is called again whose result \
            is recorded) and decoding goes on; with greedy sampling the output equals an \
            uninterrupted run's. The run uses the spec text and settings it was started with \
            (--max-tokens, --minimum-tokens, sampling); a model file whose SHA-256 changed is \
            refused unless --force.
            """)

    @Argument(help: "The run id (`arbor runs` lists them).")
    var runID: String

    @Option(name: .long, help: "The model file (default: the one the run was started with).")
    var model: String?

    @Option(name: .long, help: "The workflow file to resume with (default: the spec text recorded with the run); refused if it changed since, unless --force.")
    var spec: String?

    @Flag(name: .long, help: "Resume even if the model file or the --spec file changed since the run started.")
    var force = false

    @OptionGroup var output: RunOutputOptions

    @OptionGroup var remote: BackendOption

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let store = try database.openOrCreate()
        let run = try database.run(named: runID, in: store, command: "resume")
        if run.status == .completed {
            FileHandle.standardError.write(Data("arbor resume: run \(run.id) already completed; `arbor inspect \(run.id)` shows it.\n".utf8))
            throw ExitCode(1)
        }
        var resumed = run
        if let spec {
            let text = try String(contentsOfFile: spec, encoding: .utf8)
            let digest = FileDigest.sha256(Array(text.utf8))
            if digest != run.specSHA256 && !force {
                FileHandle.standardError.write(Data("""
                    arbor resume: \(spec) changed since run \(run.id) started (SHA-256 \(digest.prefix(12))… instead of                     \(run.specSHA256.prefix(12))…); the recorded tokens may not fit it. Resume without --spec to use the                     recorded spec, pass --force to use the new one anyway, or start a new run.\n
                    """.utf8))
                throw ExitCode(1)
            }
            resumed.specText = text
        }
        try await Self.continueRun(resumed, in: store, model: model, force: force, output: output, remote: remote)
    }

    /// Replays `run`'s record and decodes on (`arbor resume`, and `arbor fork` on the new run).
    static func continueRun(_ run: Run, in store: RunStore, model: String?, force: Bool, output: RunOutputOptions,
                            remote: BackendOption? = nil) async throws {
        let (loaded, diagnostics) = WorkflowLoader.load(text: run.specText, file: "\(run.workflow) (recorded in run \(run.id))")
        guard let workflow = loaded, !diagnostics.contains(where: { $0.severity == .error }) else {
            FileHandle.standardError.write(Data("arbor resume: the recorded spec no longer loads:\n\(diagnostics.map { "\($0)" }.joined(separator: "\n"))\n".utf8))
            throw ExitCode(1)
        }
        let modelPath = model ?? run.modelPath
        let digest = try FileDigest.sha256(ofFileAt: modelPath)
        if digest != run.modelSHA256 && !force {
            FileHandle.standardError.write(Data("""
                arbor resume: the model file \(modelPath) changed since run \(run.id) started \
                (SHA-256 \(digest.prefix(12))… instead of \(run.modelSHA256.prefix(12))…); its tokens would not replay \
                the same. Pass --force to resume anyway, or start a new run.\n
                """.utf8))
            throw ExitCode(1)
        }
        guard case .object(let inputs) = try JSONValue(parsing: run.inputsJSON) else {
            throw ValidationError("run \(run.id) has no inputs object")
        }
        var options = try RunOptions(jsonText: run.samplingJSON)
        // A run started on a server goes back to it (or to --backend, when it moved).
        if let remote { options.servingEngine = remote.engine(recorded: options.servingEngine) }
        let record = RecordedRun(store: store, id: run.id)
        let progress = try record.resume(sameModel: digest == run.modelSHA256)
        let minimum = options.minimumTokens.map { "; at least \($0) tree tokens before answering (--minimum-tokens)" } ?? ""
        FileHandle.standardError.write(Data("run \(run.id): continuing after \(progress.tokens.count) tree tokens and \(progress.toolCalls.count) tool calls\(minimum)\n".utf8))
        let execution = RunExecution(workflow: workflow, modelPath: modelPath, options: options, output: output)
        try await execution.execute(inputs: inputs, record: record, progress: progress)
    }
}
