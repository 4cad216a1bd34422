import ArborModel
import ArborSchema
import ArborSpec
import ArborTools
import Foundation

/// Runs test cases: sets up each case's tools (replay, or recording through the live tools),
/// hands the case to a ``CaseExecutor``, checks the assertions and collects a ``TestReport``.
///
/// ```swift
/// let runner = TestRunner(executor: WorkflowCaseExecutor(), options: TestRunOptions(mode: .replay))
/// let report = await runner.run(TestSuiteLoader.load(paths: ["Workflows"]))
/// print(report.text)   // … then "3 passed, 0 failed"
/// ```
public struct TestRunner: Sendable {
    public typealias LiveTools = @Sendable (Workflow) async throws -> ToolBox

    public let executor: any CaseExecutor
    public let options: TestRunOptions
    private let liveTools: LiveTools

    /// `liveTools` builds the real tools when recording and for `live: true` cases (default: the workflow's ``ToolBox``).
    public init(executor: any CaseExecutor, options: TestRunOptions = TestRunOptions(),
                liveTools: @escaping LiveTools = { try await ToolBox(workflow: $0) }) {
        self.executor = executor
        self.options = options
        self.liveTools = liveTools
    }

    /// Runs every selected case of `suites`, `options.jobs` at a time; results keep the
    /// order of the suites and cases. A suite that did not load is one error result.
    public func run(_ suites: [TestSuite]) async -> TestReport {
        let start = ContinuousClock.now
        var slots: [CaseResult?] = []
        var work: [(slot: Int, testCase: TestCase, workflow: Workflow)] = []
        for suite in suites {
            if let first = suite.errors.first {
                if options.selects(suite.name) || suite.cases.contains(where: { options.selects($0.id) }) || options.filter == nil {
                    slots.append(CaseResult(suite: suite.name, name: "(loading tests)",
                                            location: SourceLocation(file: first.file, line: first.line, column: first.column),
                                            status: .error, errors: suite.errors.map(\.description)))
                }
                continue
            }
            guard let workflow = suite.workflow else { continue }
            for testCase in suite.cases where options.selects(testCase.id) {
                work.append((slots.count, testCase, workflow))
                slots.append(nil)
            }
        }
        await withTaskGroup(of: (Int, CaseResult).self) { group in
            var next = 0
            func startNext() {
                guard next < work.count else { return }
                let item = work[next]
                next += 1
                group.addTask { (item.slot, await self.run(item.testCase, workflow: item.workflow)) }
            }
            for _ in 0..<min(options.jobs, work.count) { startNext() }
            while let (slot, result) = await group.next() {
                slots[slot] = result
                startNext()
            }
        }
        return TestReport(results: slots.compactMap { $0 }, seconds: Self.seconds(since: start))
    }

    /// Runs one case (a skipped case is reported with its reason, not run).
    public func run(_ testCase: TestCase, workflow: Workflow) async -> CaseResult {
        if let reason = testCase.skipReason {
            return CaseResult(suite: testCase.workflowName, name: testCase.name, location: testCase.location, status: .skipped, errors: [reason])
        }
        let start = ContinuousClock.now
        var result = await runUntimed(testCase, workflow: workflow)
        result.seconds = Self.seconds(since: start)
        return result
    }

    private func runUntimed(_ testCase: TestCase, workflow: Workflow) async -> CaseResult {
        var result = CaseResult(suite: testCase.workflowName, name: testCase.name, location: testCase.location, status: .error)
        let inputs: JSONObject
        var evaluator: AssertionEvaluator
        do {
            inputs = try workflow.resolveInputs(testCase.inputs)
            evaluator = try AssertionEvaluator(outputSchema: workflow.outputSchema)
        } catch {
            result.errors = [String(describing: error)]
            return result
        }

        var box: ToolBox?
        var recorder: RecordingToolInvoker?
        let replay: ReplayingToolInvoker
        var cassetteExists = false
        var recordedOutput: JSONValue?
        do {
            switch options.mode {
            case .replay where testCase.live:
                let live = try await liveTools(workflow)
                box = live
                replay = try await ReplayingToolInvoker(workflow: workflow, fixtures: testCase.fixtures, cassette: nil,
                                                        cassettePath: testCase.cassettePath, passthrough: live)
            case .replay:
                let cassette = try Cassette.load(path: testCase.cassettePath)
                cassetteExists = cassette != nil
                recordedOutput = cassette?.output
                replay = try await ReplayingToolInvoker(workflow: workflow, fixtures: testCase.fixtures, cassette: cassette,
                                                        cassettePath: testCase.cassettePath)
            case .record, .live:
                let live = try await liveTools(workflow)
                box = live
                let wrapper = RecordingToolInvoker(wrapping: live)
                if options.mode == .record { recorder = wrapper }
                replay = try await ReplayingToolInvoker(workflow: workflow, fixtures: testCase.fixtures, cassette: nil,
                                                        cassettePath: testCase.cassettePath, passthrough: wrapper)
            }
        } catch {
            result.errors = [String(describing: error)]
            await box?.shutdown()
            return result
        }

        let execution: CaseExecution
        do {
            execution = try await executor.execute(testCase, workflow: workflow, inputs: inputs, tools: replay)
        } catch {
            await box?.shutdown()
            result.errors = [TestingError.executionFailed(testCase: testCase.id, message: String(describing: error)).description]
            return result
        }
        if let recorder {
            recordedOutput = execution.output
            do {
                try await recorder.cassette(workflow: workflow.name, testCase: testCase.name, output: execution.output).write(to: testCase.cassettePath)
            } catch {
                result.errors.append(error.description)
            }
        }
        evaluator.snapshot = (recordedOutput, testCase.cassettePath)
        await box?.shutdown()

        result.execution = execution
        for request in await replay.unanswered {
            let source = cassetteExists ? "the cassette \(testCase.cassettePath) has no such call"
                                        : "there is no cassette (\(testCase.cassettePath))"
            result.errors.append("Tool '\(request.tool)' was called with \(request.arguments.compactString), and no fixture answers it; "
                                 + "\(source). Run `arbor test --record` to record it, or add a fixture under `tools: \(request.tool):`.")
        }
        if options.checksImplicitAssertions {
            result.failures = await evaluator.evaluateAll(testCase.assertions, on: execution, testCase: testCase)
        } else {
            for assertion in testCase.assertions {
                if let failure = await evaluator.evaluate(assertion, on: execution, testCase: testCase) { result.failures.append(failure) }
            }
        }
        result.status = result.failures.isEmpty && result.errors.isEmpty ? .passed : .failed
        return result
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return elapsed.inSeconds
    }
}
