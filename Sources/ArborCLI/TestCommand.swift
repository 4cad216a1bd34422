import ArborTesting
import ArgumentParser
import Foundation

/// `arbor test [PATH...]`: runs the workflows' test cases and reports them for people and CI.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run workflow tests: replay recorded tool results, check the answers, report for CI.",
        discussion: """
            Test cases come from each workflow's `tests:` section and from NAME.test.yaml beside \
            NAME.yaml. By default tool calls are answered by the tests' fixtures and by cassettes \
            (cassettes/<workflow>/<case>.json beside the workflow), so no network or server is \
            needed; --record runs the live tools instead and writes the cassettes. Decoding is \
            greedy with the workflow's seed. The last line is `N passed, N failed`; the exit \
            status is 1 when any case fails.
            """)

    @Argument(help: "Workflow files, NAME.test.yaml files or folders to search (default: Workflows).")
    var paths: [String] = []

    @Flag(name: .long, help: "Call the live tools and write their results to the cases' cassettes.")
    var record = false

    @Option(name: .long, help: "Run only cases whose workflow/case name contains this text (`*` matches anything).")
    var filter: String?

    @Option(name: .long, help: "Cases to run at the same time (default: one per four cores).")
    var jobs: Int?

    @OptionGroup var options: CaseRunOptions

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
    }

    func run() async throws {
        let searched = paths.isEmpty ? ["Workflows"] : paths
        let suites = TestSuiteLoader.load(paths: searched)
        if suites.isEmpty {
            FileHandle.standardError.write(Data("arbor test: no workflow in \(searched.joined(separator: ", ")) (a workflow is a .yaml file with a top-level `arbor:` key); name a workflow file or a folder that holds one\n".utf8))
            throw ExitCode(1)
        }
        let jobs = jobs ?? TestRunOptions.defaultJobs
        let runner = TestRunner(executor: WorkflowCaseExecutor(modelPath: options.model, threads: options.threads(jobs: jobs)),
                                options: TestRunOptions(mode: record ? .record : .replay, filter: filter, jobs: jobs))
        let report = await runner.run(suites)
        try options.writeJUnit(report.junitXML, command: "test")
        options.print(json: report.json.prettyString, text: report.text, summaryLine: report.summaryLine)
        if !report.allPassed { throw ExitCode(1) }
    }
}
