import ArborModel
import ArborRecording
import ArborRemote
import ArborRuntime
import ArborSchema
import ArborSpec
import ArborStore
import ArborTools
import ArgumentParser
import Dispatch
import Foundation

/// `arbor run SPEC.yaml --input k=v ...`: runs a workflow with the local model and prints its answer.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workflow: decode its reasoning tree, call its tools, print the answer.",
        discussion: """
            The answer (valid against the workflow's output schema) goes to standard output; a live \
            status line and the run's metrics go to standard error. Inputs come from --input \
            name=value (a plain-string input takes the text as is; others parse it as JSON) and \
            --inputs-file (a JSON object); defaults fill in the rest. An --inputs-file ending in \
            .jsonl holds many runs, one JSON object of inputs a line: each is recorded (and \
            resumable) as its own run, --jobs N of them at once, with a progress line on standard \
            error and a table of the runs on standard output.
            """)

    @Argument(help: "The workflow YAML file.")
    var spec: String

    @Option(name: .long, parsing: .singleValue, help: "An input as name=value; repeat for each input.")
    var input: [String] = []

    @Option(name: .customLong("inputs-file"), help: "A JSON file holding an object of inputs; a .jsonl file holds one object a line, one run each.")
    var inputsFile: String?

    @Option(name: .long, help: ArgumentHelp(
        "Runs of a .jsonl --inputs-file decoding at once (default 1).",
        discussion: "Against a server, start it with as many slots (llama-server -np N). In-process, the model is loaded once and each run has its own KV cache and --threads (default: the cores divided among the runs)."))
    var jobs: Int?

    @Option(name: .long, help: "Path of the GGUF model (default: the workflow's model.file, else models/SmolLM2-135M-Instruct.Q4_1.gguf or ARBOR_MODEL).")
    var model: String?

    @Flag(name: .customLong("no-prune"), help: "Keep finished subtasks in the KV cache (for comparison).")
    var noPrune = false

    @Option(name: .long, parsing: .unconditional, help: "Sampling temperature (default: the workflow's; 0 is greedy).")
    var temp: Float?

    @Option(name: .customLong("repeat-penalty"), parsing: .unconditional, help: "Repetition penalty over the last 64 tokens (default: the workflow's; 1 is none).")
    var repeatPenalty: Float?

    @Option(name: .long, help: "Seed of the sampler (default: the workflow's).")
    var seed: UInt64?

    @Option(name: .customLong("max-tokens"), help: ArgumentHelp(
        "Most tokens to write per round (default: the workflow's limits.max_tokens).",
        discussion: "Near the limit the tree is closed the shortest way and the model writes its answer in a small reserve; the run then says it was closed at the token limit."))
    var maxTokens: Int?

    @Option(name: .customLong("minimum-tokens"), help: ArgumentHelp(
        "Tree tokens to write before the run may answer (a long job).",
        discussion: "Needs a workflow with summary rounds (limits.round_budget, limits.max_rounds of 2 or more) and no steps: rounds go on, each ending with a summary, until this many tree tokens; the last allowed round answers whatever the count. Recorded with the run, so `arbor resume` keeps it."))
    var minimumTokens: Int?

    @Flag(name: .customLong("no-record"), help: "Do not record the run in the database (it cannot be resumed).")
    var noRecord = false

    @OptionGroup var output: RunOutputOptions

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var numerics: NumericsOption

    @OptionGroup var remote: BackendOption

    func validate() throws {
        for item in input where !item.contains("=") {
            throw ValidationError("--input '\(item)' is not name=value; write e.g. --input problem='2+2'.")
        }
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1.") }
        if let minimumTokens, minimumTokens < 1 { throw ValidationError("--minimum-tokens must be at least 1.") }
        try OptionChecks.temperature(temp)
        try OptionChecks.repeatPenalty(repeatPenalty)
        try OptionChecks.readableFile(inputsFile, option: "--inputs-file")
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if jobs != nil && !isBatch {
            throw ValidationError("--jobs needs many runs: an --inputs-file ending in .jsonl, one JSON object of inputs a line.")
        }
        if isBatch && output.tree { throw ValidationError("--tree prints one run's tree; with a .jsonl inputs file, see each run with `arbor inspect RUN_ID`.") }
    }

    /// Whether the inputs file holds many runs.
    private var isBatch: Bool { inputsFile.map(InputCasesFile.isJSONLines) ?? false }

    func run() async throws {
        numerics.apply()
        let workflow: Workflow
        do {
            workflow = try WorkflowLoader.loadValid(path: spec)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
        let inputs = try readInputs(workflow, includingFile: !isBatch)
        // With a serving engine, `model.tokenizer` names the GGUF whose tokenizer the run uses.
        let specTokenizer = workflow.model.server?.tokenizer.map { ModelSettings(file: $0).resolvedFile(workflowPath: spec) } ?? nil
        let modelPath = try ModelLocator.resolve(explicitPath: model ?? specTokenizer ?? workflow.model.resolvedFile(workflowPath: spec))
        var options = RunOptions(workflow: workflow)
        options.prune = !noPrune
        if let temp { options.setTemperature(temp) }
        if let seed { options.sampling.seed = seed }
        if let repeatPenalty { options.sampling.repetitionPenalty = repeatPenalty }
        options.maxTokens = maxTokens
        options.minimumTokens = minimumTokens
        options.servingEngine = remote.engine(recorded: ServingEngine(workflow.model.server))
        do {
            try options.check(for: workflow)
        } catch {
            FileHandle.standardError.write(Data("arbor run: --minimum-tokens: \(error)\n".utf8))
            throw ExitCode(1)
        }

        if isBatch, let inputsFile {
            let batch = RunBatchExecution(workflow: workflow, specText: try String(contentsOfFile: spec, encoding: .utf8),
                                          modelPath: modelPath, options: options, output: output, jobs: jobs ?? 1,
                                          store: noRecord ? nil : try database.openOrCreate())
            try await batch.execute(casesPath: inputsFile, shared: inputs)
            return
        }
        var record: RecordedRun?
        if !noRecord {
            let created = try RecordedRun.create(in: try database.openOrCreate(), workflow: workflow,
                                                 specText: try String(contentsOfFile: spec, encoding: .utf8), inputs: inputs,
                                                 modelPath: modelPath, options: options)
            FileHandle.standardError.write(Data("run \(created.id)\n".utf8))
            record = created
        }
        let execution = RunExecution(workflow: workflow, modelPath: modelPath, options: options, output: output)
        try await execution.execute(inputs: inputs, record: record)
    }

    private func readInputs(_ workflow: Workflow, includingFile: Bool) throws -> JSONObject {
        var given = JSONObject()
        if includingFile, let inputsFile {
            let text = try String(contentsOfFile: inputsFile, encoding: .utf8)
            guard case .object(let object) = try JSONValue(parsing: text) else {
                throw ValidationError("\(inputsFile) must hold a JSON object of inputs.")
            }
            given = object
        }
        let pairs = input.map { item -> (name: String, text: String) in
            let split = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(split[0]), String(split[1]))
        }
        for (key, value) in workflow.inputs(fromText: pairs) { given[key] = value }
        return given
    }
}
