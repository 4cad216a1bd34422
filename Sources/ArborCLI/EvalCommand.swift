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

    @Option(name: .long, help: "Path of the GGUF model (default: the workflow's model.file, else ARBOR_MODEL, else models/SmolLM2-135M-Instruct.Q4_1.gguf).")
    var model: String?

    @Option(name: .long, help: "Runs per case with the workflow's sampling settings; the answers vote (default 1: greedy).")
    var samples = 1

    @Option(name: .long, help: "Only the first N cases of the file.")
    var limit: Int?

    @Option(name: .long, help: "Also run the same model without the tree: `free-text` (plain chat, no grammar, no tools).")
    var baseline: Baseline?

    @Flag(name: .long, help: "Print the report as JSON on standard output (the summary line goes to standard error).")
    var json = false

    @Option(name: .long, help: "Also write a JUnit XML report of the tree's cases to this file.")
    var junit: String?

    @Option(name: .long, help: "Cases to run at the same time (default 1: each run decodes on several threads).")
    var jobs = 1

    @Option(name: .long, help: "Kernel threads per case (default: the cores divided among the jobs).")
    var threads: Int?

    enum Baseline: String, ExpressibleByArgument, CaseIterable {
        case freeText = "free-text"
    }

    func validate() throws {
        if samples < 1 { throw ValidationError("--samples must be at least 1.") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
    }

    func run() async throws {
        let set = EvalSet.load(workflowPath: spec, casesPath: cases, limit: limit)
        let threads = threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount / jobs)
        let tree = WorkflowCaseExecutor(modelPath: model, threads: threads)
        let plain = baseline.map { _ in FreeTextCaseExecutor(modelPath: model, threads: threads, answers: set.answers, sharing: tree) }
        let report = await EvalRunner(tree: tree, baseline: plain, samples: samples, jobs: jobs).run(set)
        if let junit {
            do {
                try Data(report.treeReport.junitXML.utf8).write(to: URL(fileURLWithPath: junit))
            } catch {
                FileHandle.standardError.write(Data("arbor eval: cannot write the JUnit report to \(junit): \(error.localizedDescription)\n".utf8))
                throw ExitCode(1)
            }
        }
        if json {
            print(report.json.prettyString)
            FileHandle.standardError.write(Data((report.summaryLine + "\n").utf8))
        } else {
            print(report.text, terminator: "")
        }
        if !report.loadErrors.isEmpty { throw ExitCode(1) }
    }
}
