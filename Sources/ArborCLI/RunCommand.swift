import ArborModel
import ArborRuntime
import ArborSchema
import ArborSpec
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
            --inputs-file (a JSON object); defaults fill in the rest.
            """)

    @Argument(help: "The workflow YAML file.")
    var spec: String

    @Option(name: .long, parsing: .singleValue, help: "An input as name=value; repeat for each input.")
    var input: [String] = []

    @Option(name: .customLong("inputs-file"), help: "A JSON file holding an object of inputs.")
    var inputsFile: String?

    @Option(name: .long, help: "Path of the GGUF model (default: the workflow's model.file, else models/SmolLM2-135M-Instruct.Q4_1.gguf or ARBOR_MODEL).")
    var model: String?

    @Option(name: .long, help: "Kernel threads.")
    var threads: Int = 2

    @Flag(name: .long, help: "Print one JSON object: the answer, the tree, the tool calls and the metrics.")
    var json = false

    @Flag(name: .long, help: "Also print the reasoning tree readably (to standard error with the answer on standard output).")
    var tree = false

    @Flag(name: .customLong("no-prune"), help: "Keep finished subtasks in the KV cache (for comparison).")
    var noPrune = false

    @Option(name: .long, help: "Sampling temperature (default: the workflow's; 0 is greedy).")
    var temp: Float?

    @Option(name: .customLong("repeat-penalty"), help: "Repetition penalty over the last 64 tokens (default: the workflow's; 1 is none).")
    var repeatPenalty: Float?

    @Option(name: .long, help: "Seed of the sampler (default: the workflow's).")
    var seed: UInt64?

    @Option(name: .customLong("max-tokens"), help: "Most tokens to write (default: the workflow's limits.max_tokens).")
    var maxTokens: Int?

    @Flag(name: .long, help: "No live status line.")
    var quiet = false

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1.") }
        for item in input where !item.contains("=") {
            throw ValidationError("--input '\(item)' is not name=value; write e.g. --input problem='2+2'.")
        }
    }

    func run() async throws {
        let workflow: Workflow
        do {
            workflow = try WorkflowLoader.loadValid(path: spec)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
        let inputs = try readInputs(workflow)
        let modelPath = try ModelLocator.resolve(explicitPath: model ?? workflow.model.resolvedFile(workflowPath: spec))
        let file = try GGUFFile(path: modelPath)
        let tokenizer = try BPETokenizer(gguf: file)
        let contextSlots = min(workflow.model.contextSize, try ModelConfig(file: file).contextLength)
        let transformer = try Transformer(file: file, threads: threads, contextSlots: contextSlots)
        let toolBox = try await ToolBox(workflow: workflow)

        var options = RunOptions(workflow: workflow)
        options.prune = !noPrune
        if let temp { options.sampling.temperature = temp; options.sampling.topK = temp > 0 ? 40 : 1 }
        if let seed { options.sampling.seed = seed }
        if let repeatPenalty { options.sampling.repetitionPenalty = repeatPenalty }
        options.maxTokens = maxTokens
        let runner = WorkflowRunner(workflow: workflow, model: transformer, tokenizer: tokenizer,
                                    chatTemplate: try ChatTemplate(gguf: file), tools: toolBox, options: options)
        let status = StatusLine(enabled: !quiet && !json)
        runner.onProgress = { status.update($0) }
        let report: RunReport
        do {
            report = try await runner.run(inputs: inputs)
        } catch {
            status.finish()
            await toolBox.shutdown()
            FileHandle.standardError.write(Data("arbor run: \(error)\n".utf8))
            throw ExitCode(1)
        }
        status.finish()
        await toolBox.shutdown()
        if json {
            print(report.json.prettyString)
            return
        }
        if tree { FileHandle.standardError.write(Data(ReasoningTreeText.render(report.document).utf8)) }
        print(report.output.prettyString)
        FileHandle.standardError.write(Data((report.metrics.summaryLine + "\n").utf8))
    }

    private func readInputs(_ workflow: Workflow) throws -> JSONObject {
        var given = JSONObject()
        if let inputsFile {
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

/// One status line on standard error, redrawn at most ten times a second.
final class StatusLine: @unchecked Sendable {
    // Only touched from the run's own task; the class exists so the progress closure can mutate it.
    private let enabled: Bool
    private var lastDraw = DispatchTime(uptimeNanoseconds: 0)
    private var drawn = false

    init(enabled: Bool) {
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
    }

    func update(_ progress: RunProgress) {
        guard enabled else { return }
        let now = DispatchTime.now()
        guard now.uptimeNanoseconds - lastDraw.uptimeNanoseconds > 100_000_000 else { return }
        lastDraw = now
        let m = progress.metrics
        let line = String(format: "\r\u{1B}[K%d tokens · %.1f tokens/s · %d tool calls · KV %d slots · %d pruned",
                          m.treeTokens, m.tokensPerSecond, m.toolCalls, progress.liveKVSlots, m.prunedTokens)
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
