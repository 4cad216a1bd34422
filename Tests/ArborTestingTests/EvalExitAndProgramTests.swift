import ArborSchema
import ArborSpec
@testable import ArborTesting
import ArborTools
import XCTest

/// `arbor eval`'s exit decision and `--baseline program`'s answer: the output of the plain
/// text's own Python program, run as arithmetic.
final class EvalExitAndProgramTests: XCTestCase {
    func testProgramBaselineReadsTheLastProgramsOutput() {
        let text = """
            The pens cost 8 * 7 = 35 dollars.
            ```python
            pens = 8 * 7
            notebooks = 2 * 5
            print("Total:", pens + notebooks)
            ```
            ```output
            Total: 35
            ```
            Answer: 35
            """
        let output = AnswerExtractor.programOutput(in: text)
        XCTAssertEqual(output, "Total: 66\n")
        XCTAssertEqual(output.flatMap { AnswerExtractor.extract(from: $0, expecting: 1) }, 66)
        XCTAssertEqual(AnswerExtractor.extract(from: text, expecting: 1), 35, "free text reads the invented answer")
        // the last block counts; a program that is more than arithmetic, or an unclosed one, gives nothing
        XCTAssertEqual(AnswerExtractor.programOutput(in: "```python\nprint(1)\n```\nthen\n```python\nprint(round(2.5 * 1.609344, 2))\n```"), "4.02\n")
        XCTAssertNil(AnswerExtractor.programOutput(in: "```python\nfor i in range(3):\n    print(i)\n```"))
        XCTAssertNil(AnswerExtractor.programOutput(in: "```python\nprint(8 * 7)\n"))
        XCTAssertNil(AnswerExtractor.programOutput(in: "8 * 7 = 56\nAnswer: 56"))
    }

    /// Exit status 1 for what a CI job cannot accept: cases that could not run, or a score
    /// under `--min-correct`; a low score alone exits 0.
    func testFailureReasonSaysWhyTheCommandExitsWithOne() async throws {
        let set = EvalSet.load(workflowPath: EvalTests.wordProblems, casesPath: EvalTests.packageRoot + "/Examples/eval/word-problems.jsonl", limit: 2)
        var runner = EvalRunner(tree: SampledScript(answers: [66]), baseline: SampledScript(answers: [66]), samples: 1)
        runner.baselineLabel = EvalReport.programLabel
        let report = await runner.run(set)
        XCTAssertEqual(report.treeCorrect, 1, report.text)
        XCTAssertNil(report.failureReason(minCorrect: nil))
        XCTAssertNil(report.failureReason(minCorrect: 1))
        XCTAssertEqual(report.failureReason(minCorrect: 2), "the tree passed 1 of 2 cases, fewer than --min-correct 2")
        XCTAssertTrue(report.text.contains("\n\(EvalReport.programLabel): 1/2 passed"), report.text)
        XCTAssertEqual(report.json.objectValue?["totals"]?.objectValue?["baseline_label"]?.stringValue, EvalReport.programLabel)

        let failing = await EvalRunner(tree: Failing(), baseline: SampledScript?.none, samples: 1).run(set)
        XCTAssertEqual(failing.erroredCases.map(\.name), ["wp-001", "wp-002"])
        let reason = try XCTUnwrap(failing.failureReason(minCorrect: nil))
        XCTAssertTrue(reason.hasPrefix("2 case(s) could not run, first wp-001: ") && reason.contains("no model here"), reason)
        XCTAssertEqual(failing.json.objectValue?["errored_cases"]?.arrayValue?.count, 2)
        XCTAssertTrue(failing.text.hasSuffix("0 passed, 2 failed\n"), failing.text)
    }

    /// A run that cannot start.
    struct Failing: SampledCaseExecutor {
        struct NoModel: Error, CustomStringConvertible { var description: String { "no model here" } }
        func sampling(_ index: Int?) -> Failing { self }
        func execute(_ testCase: TestCase, workflow: Workflow, inputs: JSONObject, tools: any ToolInvoking) async throws -> CaseExecution {
            throw NoModel()
        }
    }
}
