import ArborSchema
import ArborSpec
@testable import ArborTesting
import ArborTools
import XCTest

final class TestRunnerTests: XCTestCase {
    /// Three cases answered by fixtures: two pass, one fails its equality check.
    private func suites(in folder: String) throws -> [TestSuite] {
        try write(Fixture.workflowText(tests: """
          - name: forty-two
            inputs: {question: a}
            tools: {calculator: {result: {result: 42}}}
            expect: [{path: $.answer, equals: 42}]
          - name: wrong
            inputs: {question: b}
            tools: {calculator: {result: {result: 41}}}
            expect: [{path: $.answer, equals: 42}]
          - name: bounded
            inputs: {question: c}
            tools: {calculator: {result: {result: 7}}}
            expect: [{path: $.answer, lt: 10}, {tool: calculator, at_most: 1}]
        """), to: folder + "/calc.yaml")
        try write("arbor: 1\nname: broken\n", to: folder + "/broken.yaml")
        return TestSuiteLoader.load(paths: [folder])
    }

    private let executor = callingExecutor([("calculator", ["expression": "1+1"])])

    func testReportKeepsCaseOrderCountsFailuresAndEndsWithTheSummaryLine() async throws {
        let folder = try makeTemporaryFolder(self)
        let report = await TestRunner(executor: executor, options: TestRunOptions(jobs: 3)).run(try suites(in: folder))
        XCTAssertEqual(report.results.map(\.id), ["broken.yaml/(loading tests)", "calc/forty-two", "calc/wrong", "calc/bounded"])
        XCTAssertEqual(report.results.map(\.status), [.error, .passed, .failed, .passed])
        XCTAssertEqual(report.summaryLine, "2 passed, 2 failed")
        let lines = report.text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.last, "2 passed, 2 failed")
        XCTAssertTrue(lines.contains("✗ calc/wrong (\(TestReport.format(seconds: report.results[2].seconds)))"), report.text)
        XCTAssertTrue(lines.contains("    \(folder)/calc.yaml:25:14: $.answer equals 42"), report.text)
        XCTAssertTrue(lines.contains("      - 42"), report.text)
        XCTAssertTrue(lines.contains("      + 41"), report.text)
    }

    func testFilterSelectsCasesBySubstringOrGlob() async throws {
        let folder = try makeTemporaryFolder(self)
        let loaded = try suites(in: folder)
        let byText = await TestRunner(executor: executor, options: TestRunOptions(filter: "calc/wr")).run(loaded)
        XCTAssertEqual(byText.results.map(\.id), ["calc/wrong"])
        let byGlob = await TestRunner(executor: executor, options: TestRunOptions(filter: "calc/*o*d")).run(loaded)
        XCTAssertEqual(byGlob.results.map(\.id), ["calc/bounded"])
    }

    func testASkippedCaseIsReportedWithItsReasonAndNotRun() async throws {
        let folder = try makeTemporaryFolder(self)
        try write(Fixture.workflowText(tests: """
          - name: later
            inputs: {question: a}
            skip: the grammar does not bound floats yet
          - name: now
            inputs: {question: b}
            tools: {calculator: {result: {result: 1}}}
        """), to: folder + "/calc.yaml")
        let counter = ConcurrencyGauge()
        let counting = ScriptedExecutor { _, _, tools in
            await counter.enter()
            let outcome = await tools.invoke("calculator", arguments: ["expression": "1"])
            return CaseExecution(output: ["answer": outcome.value?["result"] ?? .null], toolCalls: [outcome])
        }
        let report = await TestRunner(executor: counting).run(TestSuiteLoader.load(paths: [folder]))
        XCTAssertEqual(report.results.map(\.status), [.skipped, .passed])
        let runs = await counter.entered
        XCTAssertEqual(runs, 1, "only the case that is not skipped runs")
        XCTAssertEqual(report.summaryLine, "1 passed, 0 failed")
        XCTAssertTrue(report.allPassed)
        XCTAssertTrue(report.text.contains("- calc/later skipped: the grammar does not bound floats yet\n"), report.text)
        XCTAssertTrue(report.text.contains("2 cases in "), report.text)
        XCTAssertTrue(report.junitXML.contains("<skipped message=\"the grammar does not bound floats yet\"/>"), report.junitXML)
        XCTAssertEqual(report.json["skipped"], 1)
    }

    func testAnExecutorErrorMakesAnErrorResult() async throws {
        let folder = try makeTemporaryFolder(self)
        let failing = ScriptedExecutor { _, _, _ in throw TestingError.executionFailed(testCase: "x", message: "model missing") }
        let report = await TestRunner(executor: failing, options: TestRunOptions(filter: "forty")).run(try suites(in: folder))
        XCTAssertEqual(report.results.map(\.status), [.error])
        XCTAssertTrue(report.results[0].errors[0].contains("model missing"), report.results[0].errors[0])
    }

    func testJSONReportCarriesStatusesFailuresAndTheRun() async throws {
        let folder = try makeTemporaryFolder(self)
        let report = await TestRunner(executor: executor).run(try suites(in: folder))
        let json = try JSONValue(parsing: report.json.compactString)
        XCTAssertEqual(json["passed"], 2)
        XCTAssertEqual(json["failed"], 2)
        let wrong = try XCTUnwrap(json["cases"]?[2])
        XCTAssertEqual(wrong["status"], "failed")
        XCTAssertEqual(wrong["failures"]?[0]?["line"], 25)
        XCTAssertEqual(wrong["failures"]?[0]?["expected"], "42")
        XCTAssertEqual(wrong["run"]?["output"], ["answer": 41])
        XCTAssertEqual(wrong["run"]?["tool_calls"]?[0]?["result"], ["result": 41])
    }

    func testCasesRunInParallelUpToTheJobCount() async throws {
        let folder = try makeTemporaryFolder(self)
        let gauge = ConcurrencyGauge()
        let slow = ScriptedExecutor { _, _, tools in
            await gauge.enter()
            try await Task.sleep(for: .milliseconds(100))
            await gauge.leave()
            let outcome = await tools.invoke("calculator", arguments: ["expression": "1"])
            return CaseExecution(output: ["answer": outcome.value?["result"] ?? .null], toolCalls: [outcome])
        }
        _ = await TestRunner(executor: slow, options: TestRunOptions(jobs: 2)).run(try suites(in: folder))
        let peak = await gauge.peak
        XCTAssertEqual(peak, 2)
        let serial = ConcurrencyGauge()
        let one = ScriptedExecutor { _, _, _ in
            await serial.enter()
            try await Task.sleep(for: .milliseconds(20))
            await serial.leave()
            return CaseExecution(output: ["answer": 1])
        }
        _ = await TestRunner(executor: one, options: TestRunOptions(jobs: 1)).run(try suites(in: folder))
        let serialPeak = await serial.peak
        XCTAssertEqual(serialPeak, 1)
    }
}

/// Counts how many cases run at once.
actor ConcurrencyGauge {
    private var current = 0
    private(set) var peak = 0
    private(set) var entered = 0

    func enter() {
        entered += 1
        current += 1
        peak = max(peak, current)
    }

    func leave() { current -= 1 }
}
