import ArborSchema
import ArborSpec
import Foundation

/// The expected answer of one eval case: the value, how far a number may be off, and where
/// it sits in the workflow's output.
public struct EvalAnswer: Sendable, Equatable {
    /// How an answer is held against `expected`.
    public enum Match: String, Sendable, CaseIterable {
        /// The same value (a number within the tolerance, text ignoring case).
        case equals
        /// `expected` is a regular expression found somewhere in the answer's text: for
        /// answers written as sentences, where the fact is what counts.
        case pattern
    }

    public var expected: JSONValue
    public var tolerance: Double
    /// `$` (the whole output) or `$.name`.
    public var path: String
    public var match: Match

    public init(expected: JSONValue, tolerance: Double = 0, path: String = "$.answer", match: Match = .equals) {
        self.expected = expected
        self.tolerance = tolerance
        self.path = path
        self.match = match
    }

    /// The output member the answer is (nil: the whole output).
    public var member: String? { path == "$" ? nil : String(path.dropFirst(2)) }

    /// Whether `value` is the expected answer.
    public func accepts(_ value: JSONValue?) -> Bool {
        guard let value else { return false }
        if match == .pattern {
            guard let source = expected.stringValue, let regex = try? RegexPattern(source) else { return false }
            return regex.matches(value.stringValue ?? value.compactString)
        }
        if case .string(let expectedText) = expected, case .string(let text) = value {
            return expectedText.lowercased() == text.lowercased()
        }
        return AssertionEvaluator.equal(value, expected, tolerance: tolerance)
    }

    /// The answer inside a run's output.
    public func answer(in output: JSONValue) -> JSONValue? {
        guard let member else { return output }
        return output.objectValue?[member]
    }
}

/// A workflow and the cases of one eval file, as `arbor test` cases (each with an `equals`
/// assertion on its answer first) plus each case's ``EvalAnswer``.
///
/// An eval file is JSON Lines, one case per line:
///
/// ```json
/// {"name": "wp-001", "inputs": {"problem": "Tom buys 8 pens at $7 …"}, "expected": 66}
/// {"name": "uc-004", "inputs": {"problem": "…"}, "expected": 8.05, "tolerance": 0.01, "path": "$.answer"}
/// ```
///
/// `expected` and `inputs` are required; `tolerance` (default 0), `path` (default
/// `$.answer`; `$` or `$.name`, so the free-text baseline knows where its answer goes),
/// `match` (`equals`, the default, or `pattern`: `expected` is a regular expression the
/// answer's text must contain, e.g. `"[Ss]heep"`), and any key of an `arbor test` case (`expect`, `tools`, `skip`, `description`) are optional.
/// Lines that are empty or start with `//` are skipped.
public struct EvalSet: Sendable {
    public var suite: TestSuite
    /// Per case name.
    public var answers: [String: EvalAnswer]

    /// Loads `casesPath` for the workflow at `workflowPath`; with `offset`, from the case after
    /// the first `offset` ones; with `limit`, only `limit` cases from there. Problems come back
    /// as the suite's diagnostics (`FILE:LINE:1`).
    public static func load(workflowPath: String, casesPath: String, offset: Int = 0, limit: Int? = nil) -> EvalSet {
        let (workflow, workflowDiagnostics) = WorkflowLoader.load(path: workflowPath)
        var diagnostics = workflowDiagnostics.filter { $0.severity == .error }
        guard let workflow else {
            return EvalSet(suite: TestSuite(workflowPath: workflowPath, workflow: nil, cases: [], diagnostics: diagnostics), answers: [:])
        }
        func problem(_ line: Int, _ message: String, hint: String? = nil) {
            diagnostics.append(SpecDiagnostic(file: casesPath, line: line, column: 1, message: message, hint: hint))
        }
        let file: JSONLines
        switch JSONLines.load(path: casesPath, describedAs: "the eval cases") {
        case .success(let read):
            file = read
        case .failure(let unreadable):
            diagnostics.append(unreadable.diagnostic)
            return EvalSet(suite: TestSuite(workflowPath: workflowPath, workflow: workflow, cases: [], diagnostics: diagnostics), answers: [:])
        }
        var answers: [String: EvalAnswer] = [:]
        func take(_ key: String, from object: inout JSONObject) -> JSONValue? {
            defer { object[key] = nil }
            return object[key]
        }
        // One YAML list item per line at the same line number, so the test-case decoder's
        // positions point at the eval file's lines.
        var listLines: [String] = []
        var skipped = 0
        for (number, line) in file.numberedLines {
            if line == .skipped || limit.map({ answers.count >= $0 }) == true {
                listLines.append("")
                continue
            }
            if skipped < offset {
                skipped += 1
                listLines.append("")
                continue
            }
            guard case .value(.object(var object)) = line else {
                problem(number, "each line of an eval file must be one JSON object (a case)",
                        hint: #"e.g. {"name": "wp-001", "inputs": {"problem": "…"}, "expected": 66}"#)
                listLines.append("")
                continue
            }
            guard let expected = take("expected", from: &object) else {
                problem(number, "the case has no `expected` answer")
                listLines.append("")
                continue
            }
            var answer = EvalAnswer(expected: expected)
            if let tolerance = take("tolerance", from: &object) {
                guard let value = tolerance.doubleValue, value >= 0 else {
                    problem(number, "`tolerance` must be a number of at least 0")
                    listLines.append("")
                    continue
                }
                answer.tolerance = value
            }
            if let path = take("path", from: &object) {
                guard let text = path.stringValue, text == "$" || (text.hasPrefix("$.") && text.count > 2 && !text.dropFirst(2).contains(where: { ".[*".contains($0) })) else {
                    problem(number, "`path` must be `$` or `$.name` (the output member that holds the answer)")
                    listLines.append("")
                    continue
                }
                answer.path = text
            }
            if let match = take("match", from: &object) {
                guard let name = match.stringValue, let value = EvalAnswer.Match(rawValue: name) else {
                    problem(number, "`match` must be `equals` or `pattern`")
                    listLines.append("")
                    continue
                }
                guard value == .equals || (expected.stringValue.map { (try? RegexPattern($0)) != nil } ?? false) else {
                    problem(number, "with `match: pattern`, `expected` must be a regular expression (a string that compiles)")
                    listLines.append("")
                    continue
                }
                answer.match = value
            }
            if object["name"] == nil { object["name"] = .string("line-\(number)") }
            let check: JSONValue = answer.match == .pattern
                ? ["path": .string(answer.path), "matches": expected]
                : ["path": .string(answer.path), "equals": expected, "tolerance": .number(answer.tolerance)]
            object["expect"] = .array([check] + (object["expect"]?.arrayValue ?? []))
            answers[object["name"]?.stringValue ?? ""] = answer
            listLines.append("- " + JSONValue.object(object).compactString)
        }
        var cases: [TestCase] = []
        if listLines.contains(where: { !$0.isEmpty }) {
            do {
                let document = try YAMLDocument(text: listLines.joined(separator: "\n"), file: casesPath)
                var decoder = TestCaseDecoder(document: document, workflow: workflow, workflowPath: workflowPath)
                cases = decoder.decodeCases(at: .root, existing: [])
                diagnostics += decoder.problems.map(document.diagnostic(for:))
            } catch {
                if case .invalid(let found) = error { diagnostics += found } else { problem(1, error.description) }
            }
        } else if diagnostics.isEmpty {
            problem(1, "the eval file has no cases")
        }
        return EvalSet(suite: TestSuite(workflowPath: workflowPath, workflow: workflow, cases: cases, diagnostics: diagnostics),
                       answers: answers.filter { name, _ in cases.contains { $0.name == name } })
    }
}
