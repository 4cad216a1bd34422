import ArborTesting
import ArgumentParser
import Foundation

/// `arbor eval SPEC --cases FILE.jsonl`: how often the workflow's reasoning tree gets the
/// answer right, next to the same model asked in plain chat.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure a workflow's answers on a set of cases, next to the same model's plain chain-of-thought.",
        discussion: """
            FILE.jsonl holds one case per line: {"name": …, "inputs": {…}, "expected": 66, \
            "tolerance": 0.01, "path": "$.answer"} (name, tolerance and path optional; any key of \
            an `arbor test` case allowed). Each case runs the workflow with its live tools, greedy \
            (with --samples N: N runs with the workflow's sampling settings and seeds seed…seed+N-1, \
            and the answers vote). --baseline free-text also asks the same model the same \
            instructions in plain chat, without grammar or tools, ending with "Answer: …", and reads \
            the answer back: the first number after the last "Answer:", else the last number in the \
            text (text answers: the rest of that line). --baseline program asks the same and, when \
            the text has a ```python block whose straight-line arithmetic Arbor can run (the prose \
            tree's program rule, no Python), reads the answer from the program's output by the same \
            rules (program-aided, as in PAL). The table shows per case the answers, tokens, tool \
            calls, tool errors, pruned share and time; the last line is `N passed, N failed` for the \
            tree. The exit status is 1 when the workflow or the cases do not load, when a case \
            could not run (a model that does not load, a run that stopped with an error; a wrong \
            answer is not one), or when the tree passed fewer than --min-correct cases; else 0, \
            whatever the score.
            """)

    @Argument(help: "The workflow file.")
    var spec: String

    @Option(name: .long, help: "The eval cases, JSON Lines.")
    var cases: String

    @Option(name: .long, help: "Runs per case with the workflow's sampling settings; the answers vote (default 1: greedy).")
    var samples = 1

    @Option(name: .long, help: "Skip the first N cases of the file (with --limit: a slice, e.g. --offset 20 --limit 40).")
    var offset = 0

    @Option(name: .long, help: "Only the first N cases of the file (after --offset).")
    var limit: Int?

    @Option(name: .long, help: "Also run the same model without the tree: `free-text` (plain chat, no grammar, no tools) or `program` (the same, answered by its Python program's output).")
    var baseline: Baseline?

    @Option(name: .long, help: "Exit with status 1 when the tree passes fewer cases than this (for CI).")
    var minCorrect: Int?

    @Option(name: .long, help: "Cases to run at the same time (default 1: each run decodes on several threads).")
    var jobs = 1

    @OptionGroup var options: CaseRunOptions

    enum Baseline: String, ExpressibleByArgument, CaseIterable {
        case freeText = "free-text"
        case program
    }

    func validate() throws {
        if samples < 1 { throw ValidationError("--samples must be at least 1.") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
        if offset < 0 { throw ValidationError("--offset must be 0 or more.") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if let minCorrect, minCorrect < 0 { throw ValidationError("--min-correct must be 0 or more.") }
    }

    func run() async throws {
        let set = EvalSet.load(workflowPath: spec, casesPath: cases, offset: offset, limit: limit)
        let threads = options.threads(jobs: jobs)
        let tree = WorkflowCaseExecutor(modelPath: options.model, threads: threads)
        let plain = baseline.map { kind in
            var executor = FreeTextCaseExecutor(modelPath: options.model, threads: threads, answers: set.answers, sharing: tree)
            executor.runsPrograms = kind == .program
            return executor
        }
        var runner = EvalRunner(tree: tree, baseline: plain, samples: samples, jobs: jobs)
        if baseline == .program { runner.baselineLabel = EvalReport.programLabel }
        let report = await runner.run(set)
        try options.writeJUnit(report.treeReport.junitXML, command: "eval")
        options.print(json: report.json.prettyString, text: report.text, summaryLine: report.summaryLine)
        if let reason = report.failureReason(minCorrect: minCorrect) {
            FileHandle.standardError.write(Data("arbor eval: \(reason)\n".utf8))
            throw ExitCode(1)
        }
    }
}
