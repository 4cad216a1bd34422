import ArborModel
import ArborRecording
import ArborRuntime
import ArborSchema
import ArborStore
import ArgumentParser
import Foundation

/// `arbor fork RUN_ID --at NODE_PATH`: a new run that starts from a past point of an old one.
struct ForkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fork",
        abstract: "Start a new run from the point where a task of an old run finished.",
        discussion: """
            The new run keeps the old run's tokens up to and including the task at NODE_PATH \
            (zero-based, as `arbor inspect` shows it: 0, 0.1, …) and the tool calls made in them, \
            then decodes on. Change --temp or --seed to explore another continuation; the old run \
            is left as it is.

            In a run with summary rounds every round has its own tree, so the same path appears \
            once per round: --round picks the round (zero-based, as `arbor inspect` shows it); \
            without it the fork departs from the last round in which that task finished. The new \
            run keeps the earlier rounds, their summaries and tasks.
            """)

    @Argument(help: "The run to fork (`arbor runs` lists them).")
    var runID: String

    @Option(name: .long, help: "The task after which the new run departs, e.g. 0.1.")
    var at: String

    @Option(name: .long, help: "The summary round of that task, from 0 (default: the last round in which it finished).")
    var round: Int?

    @Option(name: .long, parsing: .unconditional, help: "Sampling temperature of the new run (default: the old run's).")
    var temp: Float?

    @Option(name: .long, help: "Seed of the new run's sampler (default: the old run's).")
    var seed: UInt64?

    @Option(name: .long, help: "The model file (default: the one the old run used).")
    var model: String?

    @Flag(name: .long, help: "Fork even if the model file changed since the old run.")
    var force = false

    @OptionGroup var output: RunOutputOptions

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if let round, round < 0 { throw ValidationError("--round must be 0 or more; rounds count from 0 as `arbor inspect` shows them.") }
        try OptionChecks.temperature(temp)
    }

    func run() async throws {
        let store = try database.openOrCreate()
        let source = try database.run(named: runID, in: store, command: "fork")
        let path: NodePath
        do { path = try NodePath(at) } catch {
            throw ValidationError("--at \(at) is not a task path; write it as `arbor inspect` shows it, e.g. 0 or 0.1.")
        }
        let progress = try store.recordedProgress(runID: source.id)
        let tokenizer = try BPETokenizer(gguf: GGUFFile(path: model ?? source.modelPath))
        guard let point = ForkPoint(progress: progress, endingAfterTask: path, inRound: round, tokenizer: tokenizer) else {
            let inRound = round.map { " in round \($0)" } ?? ""
            FileHandle.standardError.write(Data("arbor fork: run \(source.id) has no finished task \(path)\(inRound) in its record; `arbor inspect \(source.id)` shows its tree and rounds.\n".utf8))
            throw ExitCode(1)
        }
        var options = try RunOptions(jsonText: source.samplingJSON)
        if let temp { options.setTemperature(temp) }
        if let seed { options.sampling.seed = seed }

        let forked = try point.recordFork(of: source, progress: progress, options: options, in: store)
        let inRound = point.round > 0 || round != nil ? " of round \(point.round)" : ""
        FileHandle.standardError.write(Data("run \(forked.id): forked from \(source.id) after task \(path)\(inRound)\n".utf8))
        try await ResumeCommand.continueRun(forked, in: store, model: model, force: force, output: output)
    }
}
