import ArborSchema
import ArborSpec
@testable import ArborTesting
import ArborTools
import Foundation
import XCTest

/// `arbor eval`: eval files, the free-text answer extractor, voting over samples, and the
/// command itself on five word problems with the default model.
final class EvalTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let wordProblems = packageRoot + "/Examples/eval/word-problems.yaml"

    func testAnswerExtractorReadsTheAnswerLineElseTheLastNumber() {
        let cases: [(String, JSONValue, JSONValue?)] = [
            ("8 * 7 = 56\n2 * 5 = 10\nAnswer: 66", 1, 66),
            ("Step 1: 56\nAnswer: **$1,066.50**\nThat is all, 3 things.", 1, 1066.5),
            ("So the total is 66 dollars.", 1, 66),
            ("The temperature drops to -4 degrees; 10-3 = 7 so the answer is 7", 1, 7),
            ("It falls to -4.5", 1, -4.5),
            ("answer: 12 km (12,000 m)", 1, 12),
            ("no digits here", 1, nil),
            ("Answer: Paris.\n", "x", "Paris"),
            ("first line\nthe capital is Paris\n", "x", "the capital is Paris"),
        ]
        for (text, expected, answer) in cases {
            XCTAssertEqual(AnswerExtractor.extract(from: text, expecting: expected), answer, text)
        }
        XCTAssertTrue(AnswerExtractor.hasFinishedAnswerLine("Answer: 66\n"))
        XCTAssertFalse(AnswerExtractor.hasFinishedAnswerLine("Answer: 66"))
        XCTAssertFalse(AnswerExtractor.hasFinishedAnswerLine("Answer:\n"))
    }

    func testEvalFileBecomesTestCasesAndBadLinesAreReportedWithTheirLine() throws {
        let set = EvalSet.load(workflowPath: Self.wordProblems, casesPath: Self.packageRoot + "/Examples/eval/word-problems.jsonl", limit: 5)
        XCTAssertTrue(set.suite.errors.isEmpty, set.suite.errors.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(set.suite.cases.map(\.name), ["wp-001", "wp-002", "wp-003", "wp-004", "wp-005"])
        XCTAssertEqual(set.answers["wp-001"], EvalAnswer(expected: 66, tolerance: 0.01, path: "$.answer"))
        XCTAssertEqual(set.suite.cases[0].assertions.first?.kind, .equals(path: try JSONPath("$.answer"), value: 66, tolerance: 0.01))
        let slice = EvalSet.load(workflowPath: Self.wordProblems, casesPath: Self.packageRoot + "/Examples/eval/word-problems.jsonl", offset: 20, limit: 2)
        XCTAssertEqual(slice.suite.cases.map(\.name), ["wp-021", "wp-022"])
        XCTAssertEqual(slice.suite.cases.first?.location.line, 21, "positions stay the file's lines")

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("eval-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try """
            {"name": "ok", "inputs": {"problem": "1+1"}, "expected": 2}
            // a comment
            {"name": "no-answer", "inputs": {"problem": "x"}}
            not json
            {"name": "bad-path", "inputs": {"problem": "x"}, "expected": 1, "path": "$.a[0]"}
            {"name": "bad-input", "inputs": {"question": "x"}, "expected": 1}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let bad = EvalSet.load(workflowPath: Self.wordProblems, casesPath: file)
        let lines = bad.suite.errors.map(\.line)
        XCTAssertEqual(Set(lines), [3, 4, 5, 6], bad.suite.errors.map(\.description).joined(separator: "\n"))
        XCTAssertTrue(bad.suite.errors.allSatisfy { $0.file == file })
    }

    /// `match: pattern` holds a sentence against a regular expression, both in the eval's
    /// score and in the case's `matches` assertion; the shipped research questions load.
    func testPatternAnswersMatchTheFactInASentence() throws {
        let answer = EvalAnswer(expected: "[Ss]heep", match: .pattern)
        XCTAssertTrue(answer.accepts("Vell Blue is made from sheep's milk."))
        XCTAssertFalse(answer.accepts("Vell Blue is made from cow's milk."))
        XCTAssertTrue(EvalAnswer(expected: "3,?150", match: .pattern).accepts(3150))
        XCTAssertFalse(EvalAnswer(expected: "[Ss]heep").accepts("sheep's milk"), "equals is the default")

        let research = Self.packageRoot + "/Workflows/research-local.yaml"
        let set = EvalSet.load(workflowPath: research, casesPath: Self.packageRoot + "/Examples/research-corpus.eval.jsonl")
        XCTAssertTrue(set.suite.errors.isEmpty, set.suite.errors.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(set.suite.cases.count, 22)
        XCTAssertEqual(set.answers["cheese-milk"]?.match, .pattern)
        let cheese = try XCTUnwrap(set.suite.cases.first { $0.name == "cheese-milk" })
        XCTAssertEqual(cheese.assertions.first?.kind, .matches(path: try JSONPath("$.answer"), pattern: "[Ss]heep"))

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("eval-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try """
            {"name": "bad-match", "inputs": {"question": "x"}, "expected": "a", "match": "fuzzy"}
            {"name": "bad-regex", "inputs": {"question": "x"}, "expected": "(a", "match": "pattern"}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let bad = EvalSet.load(workflowPath: research, casesPath: file)
        XCTAssertEqual(bad.suite.errors.map(\.line), [1, 2], bad.suite.errors.map(\.description).joined(separator: "\n"))
    }

    /// Three samples answer 5, 5 and 7: the vote says 5. The baseline's scoring uses only the
    /// answer, not the output schema.
    func testSamplesVoteOnTheAnswer() async throws {
        let set = EvalSet.load(workflowPath: Self.wordProblems, casesPath: Self.packageRoot + "/Examples/eval/word-problems.jsonl", limit: 1)
        var answers = set.answers
        answers["wp-001"] = EvalAnswer(expected: 5, tolerance: 0.01)
        var voting = set
        voting.answers = answers
        voting.suite.cases[0].assertions = [Assertion(.equals(path: try JSONPath("$.answer"), value: 5, tolerance: 0.01))]
        let report = await EvalRunner(tree: SampledScript(answers: [5, 5.001, 7]), baseline: SampledScript(answers: [7, 7, 5], extraMember: true),
                                      samples: 3).run(voting)
        let row = try XCTUnwrap(report.rows.first)
        XCTAssertTrue(row.tree.correct)
        XCTAssertEqual(row.tree.correctSamples, 2)
        XCTAssertEqual(row.tree.answer, 5)
        XCTAssertFalse(try XCTUnwrap(row.baseline).correct)
        XCTAssertEqual(row.baseline?.correctSamples, 1)
        XCTAssertTrue(report.text.hasSuffix("1 passed, 0 failed\n"), report.text)
        XCTAssertEqual(report.json.objectValue?["totals"]?.objectValue?["baseline_correct"], 0)
    }

    /// A tree closed at its token limit with the right answer fails its case, as `arbor test`
    /// would fail it, but its answer counts as right: the report says both, per case and in
    /// the totals, beside plain chat's, which is scored on its answer alone.
    func testAReportSaysWhetherTheAnswerWasRightApartFromThePassingVerdict() async throws {
        let set = EvalSet.load(workflowPath: Self.wordProblems, casesPath: Self.packageRoot + "/Examples/eval/word-problems.jsonl", limit: 1)
        let report = await EvalRunner(tree: SampledScript(answers: [66], closedAtTokenLimit: true),
                                      baseline: SampledScript(answers: [66], extraMember: true), samples: 1).run(set)
        let row = try XCTUnwrap(report.rows.first)
        XCTAssertFalse(row.tree.correct)
        XCTAssertTrue(row.tree.answerRight)
        XCTAssertTrue(row.tree.problems.contains { $0.contains("token limit") }, "\(row.tree.problems)")
        XCTAssertTrue(try XCTUnwrap(row.baseline).correct)
        XCTAssertTrue(try XCTUnwrap(row.baseline).answerRight)
        let lines = report.text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first?.split(separator: " ").prefix(5).map(String.init), ["case", "expected", "tree", "ok", "ans"], report.text)
        let row1 = try XCTUnwrap(lines.first { $0.hasPrefix("wp-001") }).split(separator: " ").map(String.init)
        XCTAssertEqual(Array(row1.prefix(5)), ["wp-001", "66", "66.0", "✗", "✓"], report.text)
        XCTAssertEqual(Array(row1.drop { $0 != "|" }.prefix(4)), ["|", "66.0", "✓", "✓"], report.text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("tree: 0/1 passed (0.0 %) · 1/1 answers right (100.0 %)") }, report.text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("plain chat (free text, no tools): 1/1 passed (100.0 %) · 1/1 answers right") }, report.text)
        XCTAssertTrue(report.text.hasSuffix("0 passed, 1 failed\n"), report.text)
        let totals = try XCTUnwrap(report.json.objectValue?["totals"]?.objectValue)
        XCTAssertEqual(totals["tree_correct"], 0)
        XCTAssertEqual(totals["tree_answers_right"], 1)
        XCTAssertEqual(totals["baseline_answers_right"], 1)
        let tree = report.json.objectValue?["cases"]?.arrayValue?.first?.objectValue?["tree"]?.objectValue
        XCTAssertEqual(tree?["correct"], false)
        XCTAssertEqual(tree?["answer_right"], true)
    }

    /// The command, as `make test` runs it: five word problems with the default model, the tree
    /// and the free-text baseline. Checks the harness, not the model's score; `--min-correct 6`
    /// of five cases cannot be met, so the command prints its whole report and exits with 1,
    /// saying why on standard error.
    func testArborEvalRunsFiveCasesWithTheDefaultModel() throws {
        let binary = Self.packageRoot + "/.build/debug/arbor"
        let model = ProcessInfo.processInfo.environment["ARBOR_MODEL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? Self.packageRoot + "/models/SmolLM2-135M-Instruct.Q4_1.gguf"
        guard FileManager.default.fileExists(atPath: model) else { return XCTFail("No model at \(model); run `make setup`.") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["eval", "Examples/eval/word-problems.yaml", "--cases", "Examples/eval/word-problems.jsonl", "--limit", "5",
                             "--baseline", "free-text", "--model", model, "--min-correct", "6"]
        process.currentDirectoryURL = URL(fileURLWithPath: Self.packageRoot)
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 1, text + complaint)
        XCTAssertTrue(complaint.hasPrefix("arbor eval: the tree passed ") && complaint.hasSuffix(" of 5 cases, fewer than --min-correct 6\n"), complaint)
        let lines = text.split(separator: "\n").map(String.init)
        let last = try XCTUnwrap(lines.last)
        let counts = last.split(separator: " ").compactMap { Int($0) }
        XCTAssertTrue(last.hasSuffix("failed") && counts.count == 2 && counts.reduce(0, +) == 5, text)
        XCTAssertEqual(lines.filter { $0.hasPrefix("wp-00") }.count, 5, text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("tree: ") && $0.contains("/5 passed") && $0.contains("/5 answers right") }, text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("plain chat (free text, no tools): ") && $0.contains("/5 answers right") }, text)
        XCTAssertTrue(lines.first?.hasPrefix("case") == true, text)
    }
}

/// Answers sample `i` with `answers[i]` (greedy: the first).
struct SampledScript: SampledCaseExecutor {
    var answers: [Double]
    var extraMember = false
    /// The run's only round was closed at its token limit.
    var closedAtTokenLimit = false
    var sample: Int?

    func sampling(_ index: Int?) -> SampledScript {
        var copy = self
        copy.sample = index
        return copy
    }

    func execute(_ testCase: TestCase, workflow: Workflow, inputs: JSONObject, tools: any ToolInvoking) async throws -> CaseExecution {
        var output: JSONObject = ["answer": .number(answers[sample ?? 0])]
        if extraMember { output["note"] = "not in the schema" }
        return CaseExecution(output: .object(output), metrics: CaseMetrics(generatedTokens: 3, roundsClosedAtTokenLimit: closedAtTokenLimit ? [0] : []))
    }
}
