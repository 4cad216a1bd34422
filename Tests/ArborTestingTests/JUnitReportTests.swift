import ArborSchema
@testable import ArborTesting
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// The JUnit XML must parse and have the structure CI readers expect: `testsuites` >
/// `testsuite` > `testcase` with `failure` / `error` children and consistent counts.
final class JUnitReportTests: XCTestCase {
    private func report() -> TestReport {
        let location = SourceLocation(file: "Workflows/a&b.yaml", line: 12, column: 5)
        let equals = Assertion(.equals(path: .root, value: ["x": 1], tolerance: 0), location: location)
        return TestReport(results: [
            CaseResult(suite: "math", name: "ok", location: location, status: .passed, seconds: 0.25),
            CaseResult(suite: "math", name: "bad <one>", location: location, status: .failed,
                       failures: [AssertionFailure(assertion: equals, message: "differs \"here\"\u{1}", expected: "{\"x\": 1}", actual: "{\"x\": 2}")],
                       seconds: 1.5),
            CaseResult(suite: "triage", name: "(loading tests)", location: location, status: .error, errors: ["a.yaml:1:1: error: broken"]),
            CaseResult(suite: "triage", name: "later", location: location, status: .skipped, errors: ["not yet"]),
        ], seconds: 2)
    }

    func testJUnitXMLHasTheStructureCIReadersExpect() throws {
        let document = try XMLDocument(data: Data(report().junitXML.utf8))
        let root = try XCTUnwrap(document.rootElement())
        XCTAssertEqual(root.name, "testsuites")
        XCTAssertEqual(root.attribute(forName: "tests")?.stringValue, "4")
        XCTAssertEqual(root.attribute(forName: "skipped")?.stringValue, "1")
        XCTAssertEqual(root.attribute(forName: "failures")?.stringValue, "1")
        XCTAssertEqual(root.attribute(forName: "errors")?.stringValue, "1")

        let suites = root.elements(forName: "testsuite")
        XCTAssertEqual(suites.map { $0.attribute(forName: "name")?.stringValue }, ["math", "triage"])
        for suite in suites {
            let cases = suite.elements(forName: "testcase")
            XCTAssertEqual(suite.attribute(forName: "tests")?.stringValue, String(cases.count))
            XCTAssertEqual(suite.attribute(forName: "failures")?.stringValue, String(cases.filter { !$0.elements(forName: "failure").isEmpty }.count))
            XCTAssertEqual(suite.attribute(forName: "errors")?.stringValue, String(cases.filter { !$0.elements(forName: "error").isEmpty }.count))
            XCTAssertEqual(suite.attribute(forName: "skipped")?.stringValue, String(cases.filter { !$0.elements(forName: "skipped").isEmpty }.count))
            XCTAssertNotNil(suite.attribute(forName: "time"))
            for testCase in cases {
                for required in ["name", "classname", "time", "file", "line"] {
                    XCTAssertNotNil(testCase.attribute(forName: required), required)
                }
                XCTAssertNotNil(Double(testCase.attribute(forName: "time")?.stringValue ?? ""))
            }
        }
        let math = suites[0].elements(forName: "testcase")
        XCTAssertEqual(math[1].attribute(forName: "name")?.stringValue, "bad <one>")
        XCTAssertEqual(math[1].attribute(forName: "file")?.stringValue, "Workflows/a&b.yaml")
        let failure = try XCTUnwrap(math[1].elements(forName: "failure").first)
        XCTAssertEqual(failure.attribute(forName: "message")?.stringValue, "$ equals {\"x\":1}")
        let body = failure.stringValue ?? ""
        XCTAssertTrue(body.contains("differs \"here\"\n"), "the control character is dropped: \(body)")
        XCTAssertTrue(body.contains("- {\"x\": 1}\n+ {\"x\": 2}"), body)
        let error = try XCTUnwrap(suites[1].elements(forName: "testcase").first?.elements(forName: "error").first)
        XCTAssertEqual(error.attribute(forName: "message")?.stringValue, "a.yaml:1:1: error: broken")
        let skipped = try XCTUnwrap(suites[1].elements(forName: "testcase").last?.elements(forName: "skipped").first)
        XCTAssertEqual(skipped.attribute(forName: "message")?.stringValue, "not yet")
    }

    func testAllPassingReportHasNoFailureElements() throws {
        let location = SourceLocation(file: "a.yaml", line: 1, column: 1)
        let passing = TestReport(results: [CaseResult(suite: "s", name: "c", location: location, status: .passed)], seconds: 0)
        let document = try XMLDocument(data: Data(passing.junitXML.utf8))
        XCTAssertEqual(document.rootElement()?.attribute(forName: "failures")?.stringValue, "0")
        let testCase = document.rootElement()?.elements(forName: "testsuite").first?.elements(forName: "testcase").first
        XCTAssertEqual(testCase?.childCount, 0)
    }
}
