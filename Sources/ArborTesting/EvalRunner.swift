import ArborModel
import ArborSchema
import ArborSpec
import Foundation

/// A case executor that can run one sample of several: nil is the greedy run, `i` the
/// workflow's sampling settings with seed `seed + i`.
public protocol SampledCaseExecutor: CaseExecutor {
    func sampling(_ index: Int?) -> Self
}

extension WorkflowCaseExecutor: SampledCaseExecutor {}
extension FreeTextCaseExecutor: SampledCaseExecutor {}

/// Runs an eval set: the workflow's reasoning tree on every case (through ``TestRunner``, so
/// the cases, tools and assertions are `arbor test`'s), and optionally the same model asked in
/// plain chat (``FreeTextCaseExecutor``), side by side.
///
/// With `samples` > 1 every case runs that many times with the workflow's sampling settings
/// (seeds `seed`, `seed + 1`, …) and the answers vote: the case is correct when the most
/// frequent answer (numbers within the tolerance count as one) is the expected one. With one
/// sample a tree case is correct when all its assertions pass (the answer, the output schema,
/// the token limit and any extra `expect:`).
///
/// ```swift
/// let set = EvalSet.load(workflowPath: "Examples/eval/word-problems.yaml", casesPath: "Examples/eval/word-problems.jsonl")
/// let report = await EvalRunner(tree: WorkflowCaseExecutor(), baseline: nil).run(set)
/// print(report.text)   // … "12 passed, 8 failed"
/// ```
public struct EvalRunner<Tree: SampledCaseExecutor, Baseline: SampledCaseExecutor>: Sendable {
    public var tree: Tree
    public var baseline: Baseline?
    public var samples: Int
    public var jobs: Int
    /// How the report names the baseline.
    public var baselineLabel = EvalReport.freeTextLabel

    public init(tree: Tree, baseline: Baseline?, samples: Int = 1, jobs: Int = 1) {
        self.tree = tree
        self.baseline = baseline
        self.samples = max(1, samples)
        self.jobs = max(1, jobs)
    }

    public func run(_ set: EvalSet) async -> EvalReport {
        let start = ContinuousClock.now
        let treeRuns = await runSamples(of: tree, on: set, implicitChecks: true)
        var baselineRuns: [TestReport]?
        if let baseline { baselineRuns = await runSamples(of: baseline, on: set, implicitChecks: false) }
        let elapsed = ContinuousClock.now - start
        var report = EvalReport(set: set, samples: samples, tree: treeRuns, baseline: baselineRuns,
                                seconds: elapsed.inSeconds)
        report.baselineLabel = baselineLabel
        return report
    }

    private func runSamples<E: SampledCaseExecutor>(of executor: E, on set: EvalSet, implicitChecks: Bool) async -> [TestReport] {
        var reports: [TestReport] = []
        var options = TestRunOptions(mode: .live, jobs: jobs)
        options.checksImplicitAssertions = implicitChecks
        var suite = set.suite
        // the baseline is scored on its answer alone: the first assertion of every eval case
        if !implicitChecks { suite.cases = suite.cases.map { var c = $0; c.assertions = Array(c.assertions.prefix(1)); return c } }
        for index in 0..<samples {
            let runner = TestRunner(executor: executor.sampling(samples == 1 ? nil : index), options: options)
            reports.append(await runner.run([suite]))
        }
        return reports
    }
}
