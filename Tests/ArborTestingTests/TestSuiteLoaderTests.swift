import ArborSchema
import ArborSpec
@testable import ArborTesting
import XCTest

final class TestSuiteLoaderTests: XCTestCase {
    func testCasesComeWithFixturesAssertionsAndADefaultCassetteBesideTheWorkflow() throws {
        let folder = try makeTemporaryFolder(self)
        try write(Fixture.workflowText(tests: """
          - name: doubles
            inputs: {question: "2*21?"}
            tools:
              calculator:
                - arguments: {expression: "2*21"}
                  result: {result: 42}
                - arguments: {expression: "2 ?\\\\* ?21"}
                  match: pattern
                  error: no spaces please
            expect:
              - {path: $.answer, equals: 42, tolerance: 0.5}
              - {tool: calculator, called_with: {expression: "2*21"}, times: 1}
              - {limits: {tokens: 100, kv_peak: 500}}
        """), to: folder + "/calc.yaml")
        let suite = TestSuiteLoader.loadSuite(workflowPath: folder + "/calc.yaml")
        XCTAssertEqual(suite.diagnostics, [])
        let testCase = try XCTUnwrap(suite.cases.first)
        XCTAssertEqual(testCase.id, "calc/doubles")
        XCTAssertEqual(testCase.location.line, 18)
        XCTAssertEqual(testCase.cassettePath, folder + "/cassettes/calc/doubles.json")
        XCTAssertEqual(testCase.fixtures.map(\.arguments), [.exact(["expression": "2*21"]), .pattern(["expression": "2 ?\\* ?21"])])
        XCTAssertEqual(testCase.fixtures.map(\.response), [.result(["result": 42]), .error("no spaces please")])
        XCTAssertEqual(testCase.assertions.map(\.kind), [
            .equals(path: try JSONPath("$.answer"), value: 42, tolerance: 0.5),
            .toolCalled(tool: "calculator", arguments: .exact(["expression": "2*21"]), atLeast: 1, atMost: 1),
            .limits([.tokens: 100, .kvPeak: 500]),
        ])
        XCTAssertEqual(testCase.assertions[1].location, SourceLocation(file: folder + "/calc.yaml", line: 29, column: 9))
    }

    func testEveryMistakeIsReportedAtItsLineAndColumn() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/calc.yaml"
        try write(Fixture.workflowText(tests: """
          - name: broken
            input: {question: "x"}
            tools:
              calculater:
                - result: 1
            expect:
              - {path: "$.answer[", equals: 1}
              - {path: $.answer, equals: 1, matches: "x"}
              - {matches: "(unclosed"}
              - {tool: search, at_most: 1}
        """), to: path)
        let suite = TestSuiteLoader.loadSuite(workflowPath: path)
        XCTAssertTrue(suite.cases.isEmpty)
        let located = suite.diagnostics.map { "\($0.line):\($0.column) \($0.message)" }
        XCTAssertEqual(located.count, 7, located.joined(separator: "\n"))
        XCTAssertTrue(located.contains("19:5 unknown key `input` in a test case"), located.joined(separator: "\n"))
        XCTAssertTrue(located.contains { $0.hasPrefix("18:5 the test case gives no `inputs`") }, located.joined(separator: "\n"))
        XCTAssertTrue(located.contains("21:7 the workflow has no tool called `calculater`"), located.joined(separator: "\n"))
        XCTAssertTrue(located.contains { $0.hasPrefix("24:16 The path `$.answer[` is not valid") }, located.joined(separator: "\n"))
        XCTAssertTrue(located.contains("25:9 an assertion checks one thing; this one has `equals` and `matches`"), located.joined(separator: "\n"))
        XCTAssertTrue(located.contains { $0.hasPrefix("26:19 this is not a valid regular expression") }, located.joined(separator: "\n"))
        XCTAssertTrue(located.contains("27:16 the workflow has no tool called `search`"), located.joined(separator: "\n"))
        XCTAssertTrue(suite.diagnostics.allSatisfy { $0.file == path })
    }

    func testInputsThatDoNotFitTheWorkflowAreReported() throws {
        let folder = try makeTemporaryFolder(self)
        try write(Fixture.workflowText(tests: """
          - inputs: {question: 3}
        """), to: folder + "/calc.yaml")
        let suite = TestSuiteLoader.loadSuite(workflowPath: folder + "/calc.yaml")
        XCTAssertEqual(suite.diagnostics.map(\.line), [18])
        XCTAssertTrue(suite.diagnostics[0].message.hasPrefix("the inputs do not fit the workflow"), suite.diagnostics[0].message)
    }

    func testCompanionTestFileIsFoundFromTheFolderAndFromItsOwnPath() throws {
        let folder = try makeTemporaryFolder(self)
        try write(Fixture.workflowText(tests: """
          - name: inline
            inputs: {question: a}
        """), to: folder + "/calc.yaml")
        try write("""
        tests:
          - name: extra
            inputs: {question: b}
            cassette: tapes/extra.json
          - name: inline
            inputs: {question: c}
        """, to: folder + "/calc.test.yaml")
        try write("not: a workflow\n", to: folder + "/other.yaml")

        for paths in [[folder], [folder + "/calc.test.yaml"]] {
            let suites = TestSuiteLoader.load(paths: paths)
            XCTAssertEqual(suites.map(\.workflowPath), [folder + "/calc.yaml"], "\(paths)")
            let suite = try XCTUnwrap(suites.first)
            XCTAssertEqual(suite.cases.map(\.name), ["inline", "extra"])
            XCTAssertEqual(suite.cases.last?.cassettePath, folder + "/tapes/extra.json")
            XCTAssertEqual(suite.cases.last?.location, SourceLocation(file: folder + "/calc.test.yaml", line: 2, column: 5))
            XCTAssertEqual(suite.diagnostics.map { "\($0.file):\($0.line)" }, [folder + "/calc.test.yaml:5"],
                           "the duplicate name is reported where it is written")
        }
    }

    func testATestFileNamesItsWorkflowRelativeToItself() throws {
        let folder = try makeTemporaryFolder(self)
        try FileManager.default.createDirectory(atPath: folder + "/checks", withIntermediateDirectories: true)
        try write(Fixture.workflowText(tests: "  []"), to: folder + "/calc.yaml")
        try write("workflow: ../calc.yaml\ntests:\n  - name: elsewhere\n    inputs: {question: q}\n    unknown: 1\n", to: folder + "/checks/more.test.yaml")
        let suites = TestSuiteLoader.load(paths: [folder + "/checks/more.test.yaml"])
        XCTAssertEqual(suites.map(\.workflowPath), [folder + "/checks/../calc.yaml"])
        XCTAssertEqual(suites.first?.diagnostics.map(\.description),
                       [folder + "/checks/more.test.yaml:5:5: error: unknown key `unknown` in a test case\n  hint: allowed keys: name, description, inputs, tools, cassette, live, expect, skip"])
    }

    func testAWorkflowThatDoesNotLoadIsASuiteWithItsErrors() throws {
        let folder = try makeTemporaryFolder(self)
        try write("arbor: 1\nname: bad\n", to: folder + "/bad.yaml")
        let suite = TestSuiteLoader.loadSuite(workflowPath: folder + "/bad.yaml")
        XCTAssertNil(suite.workflow)
        XCTAssertFalse(suite.errors.isEmpty)
    }
}
