import ArborSchema
import ArborSpec
@testable import ArborTesting
import ArborTools
import XCTest

/// `live: true`: a case whose tools are local calls them for real instead of a cassette.
final class LiveCaseTests: XCTestCase {
    private func suites(in folder: String) throws -> [TestSuite] {
        try write(Fixture.workflowText(tests: """
          - name: live-calculator
            live: true
            inputs: {question: a}
            expect: [{path: $.answer, equals: 2}]
          - name: replayed-calculator
            inputs: {question: b}
            expect: [{path: $.answer, equals: 2}]
          - name: live-with-fixture
            live: true
            inputs: {question: c}
            tools: {calculator: {result: {result: 7}}}
            expect: [{path: $.answer, equals: 7}]
        """), to: folder + "/calc.yaml")
        return TestSuiteLoader.load(paths: [folder])
    }

    func testALiveCaseCallsTheRealToolAndNeedsNoCassette() async throws {
        let folder = try makeTemporaryFolder(self)
        let loaded = try suites(in: folder)
        XCTAssertEqual(loaded.first?.cases.map(\.live), [true, false, true])
        let executor = callingExecutor([("calculator", ["expression": "1+1"])])
        let report = await TestRunner(executor: executor, options: TestRunOptions(mode: .replay)).run(loaded)
        XCTAssertEqual(report.results.map(\.status), [.passed, .failed, .passed], report.text)
        XCTAssertEqual(report.results[0].execution?.toolCalls.first?.value?["result"], 2, "the real calculator answered")
        XCTAssertTrue(report.results[1].errors.first?.contains("no fixture answers it; there is no cassette") ?? false, report.text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/cassettes"), "a live case writes no cassette")
    }

    func testLiveMustBeABoolean() throws {
        let folder = try makeTemporaryFolder(self)
        try write(Fixture.workflowText(tests: """
          - name: odd
            live: "yes"
            inputs: {question: a}
        """), to: folder + "/calc.yaml")
        let suite = try XCTUnwrap(TestSuiteLoader.load(paths: [folder]).first)
        XCTAssertTrue(suite.errors.contains { $0.message == "`live` must be true or false" }, "\(suite.errors)")
    }
}
