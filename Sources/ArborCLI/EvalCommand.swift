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
            text (text answers: the rest of that line). The table shows per case the answers, \
            tokens, tool calls, tool errors, pruned share and time; the last line is \
            `N passed, N failed` for the tree. The exit status is 1 only when the workflow or the \
            cases do not load.
            """)

    @Argument(help: "The workflow file.")
    var spec: String

    @Option(name: .long, help: "The eval cases, JSON Lines.")
    var cases: String

    @Option(name: .long, help: "Runs per case with the workflow's sampling settings; the answers vote (default 1: greedy).")
    var samples = 1

    @Option(name: .long, help: "Only the first N cases of the file.")
    var limit: Int?

    @Option(name: .long, help: "Also run the same model without the tree: `free-text` (plain chat, no grammar, no tools).")
    var baseline: Baseline?

    @Option(name: .long, help: "Cases to run at the same time (default 1: each run decodes on several threads).")
    var jobs = 1

    @OptionGroup var options: CaseRunOptions

    enum Baseline: String, ExpressibleByArgument, CaseIterable {
        case freeText = "free-text"
    }

    func validate() throws {
        if samples < 1 { throw ValidationError("--samples must be at least 1.") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
    }

    func run() async throws {
        let set = EvalSet.load(workflowPath: spec, casesPath: cases, limit: limit)
        let threads = options.threads(jobs: jobs)
        let tree = WorkflowCaseExecutor(modelPath: options.model, threads: threads)
        let plain = baseline.map { _ in FreeTextCaseExecutor(modelPath: options.model, threads: threads, answers: set.answers, sharing: tree) }
        let report = await EvalRunner(tree: tree, baseline: plain, samples: samples, jobs: jobs).run(set)
        try options.writeJUnit(report.treeReport.junitXML, command: "eval")
        options.print(json: report.json.prettyString, text: report.text, summaryLine: report.summaryLine)
        if !report.loadErrors.isEmpty { throw ExitCode(1) }
    }
}
