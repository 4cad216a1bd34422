import ArborSchema
import ArborSpec
import ArborTools

/// Checks assertions against a finished run.
///
/// ```swift
/// let evaluator = try AssertionEvaluator(outputSchema: workflow.outputSchema)
/// let failure = await evaluator.evaluate(assertion, on: execution, testCase: testCase)
/// print(failure?.message ?? "passed")
/// ```
public struct AssertionEvaluator: Sendable {
    private let outputSchema: SchemaDocument
    /// How long a `command:` assertion may run.
    public var commandTimeoutSeconds: Double = 60
    /// The recorded output `snapshot` assertions compare with, and the file it came from.
    public var snapshot: (output: JSONValue?, source: String)?

    public init(outputSchema: JSONValue) throws(SchemaCompileError) {
        self.outputSchema = try SchemaDocument(compiling: outputSchema)
    }

    /// Every failure among `assertions`, with the implicit checks (output schema, token limit) first.
    public func evaluateAll(_ assertions: [Assertion], on execution: CaseExecution, testCase: TestCase) async -> [AssertionFailure] {
        var failures: [AssertionFailure] = []
        for assertion in [Assertion(.schemaValid), Assertion(.withinTokenLimit)] + assertions {
            if let failure = await evaluate(assertion, on: execution, testCase: testCase) { failures.append(failure) }
        }
        return failures
    }

    /// The failure of one assertion, or nil when it holds.
    public func evaluate(_ assertion: Assertion, on execution: CaseExecution, testCase: TestCase) async -> AssertionFailure? {
        func fail(_ message: String, expected: String? = nil, actual: String? = nil) -> AssertionFailure {
            AssertionFailure(assertion: assertion, message: message, expected: expected, actual: actual)
        }
        switch assertion.kind {
        case .schemaValid:
            let violations = outputSchema.validate(execution.output)
            guard !violations.isEmpty else { return nil }
            return fail("The output does not match the workflow's output schema: " + violations.map(\.description).joined(separator: "; ") + ".",
                        actual: execution.output.prettyString)

        case .withinTokenLimit:
            guard !execution.metrics.roundsClosedAtTokenLimit.isEmpty else { return nil }
            let rounds = execution.metrics.roundsClosedAtTokenLimit.map(String.init).joined(separator: ", ")
            return fail("The run reached its token limit (limits.max_tokens) in round \(rounds) and was closed early: the tree was "
                        + "cut short and the answer finished in a reserve. Raise limits.max_tokens or bound the texts with "
                        + "limits.max_text_length.")

        case let .equals(path, value, tolerance):
            return eachSelected(path, in: execution.output, fail: fail) { actual in
                Self.equal(actual, value, tolerance: tolerance) ? nil
                    : fail("\(path) is not equal to the expected value\(tolerance > 0 ? " (tolerance \(tolerance))" : "").",
                           expected: value.prettyString, actual: actual.prettyString)
            }

        case let .contains(path, value):
            return eachSelected(path, in: execution.output, fail: fail) { actual in
                Self.contains(actual, value) ? nil
                    : fail("\(path) does not contain \(value.compactString).", expected: value.prettyString, actual: actual.prettyString)
            }

        case let .matches(path, pattern):
            guard let regex = try? RegexPattern(pattern) else { return fail("The pattern /\(pattern)/ does not compile.") }
            return eachSelected(path, in: execution.output, fail: fail) { actual in
                guard let text = actual.stringValue else { return fail("\(path) is \(actual.typeName), not text, so /\(pattern)/ cannot match it.", actual: actual.prettyString) }
                return regex.matches(text) ? nil : fail("\(path) does not match /\(pattern)/.", expected: "/\(pattern)/", actual: actual.prettyString)
            }

        case let .compare(path, comparisons):
            return eachSelected(path, in: execution.output, fail: fail) { actual in
                guard let number = actual.doubleValue else { return fail("\(path) is \(actual.typeName), not a number.", actual: actual.prettyString) }
                let broken = comparisons.filter { !$0.holds(for: number) }
                return broken.isEmpty ? nil
                    : fail("\(path) is \(actual.compactString), which is not " + broken.map(\.description).joined(separator: " and ") + ".")
            }

        case let .length(path, minimum, maximum):
            return eachSelected(path, in: execution.output, fail: fail) { actual in
                let length: Int
                switch actual {
                case .array(let elements): length = elements.count
                case .object(let object): length = object.count
                case .string(let text): length = text.count
                default: return fail("\(path) is \(actual.typeName), which has no length.", actual: actual.prettyString)
                }
                if let minimum, length < minimum { return fail("\(path) has length \(length), less than \(minimum).", actual: actual.prettyString) }
                if let maximum, length > maximum { return fail("\(path) has length \(length), more than \(maximum).", actual: actual.prettyString) }
                return nil
            }

        case let .toolCalled(tool, arguments, atLeast, atMost):
            let calls = execution.toolCalls.filter { $0.tool == tool && arguments.matches($0.arguments) }
            let lower = atLeast ?? (atMost == nil ? 1 : 0)
            let what = arguments.expected.map { "with \($0.compactString) (\(arguments.modeName))" } ?? ""
            if calls.count < lower || atMost.map({ calls.count > $0 }) == true {
                let bound = atMost.map { lower == $0 ? "exactly \($0)" : lower > 0 ? "\(lower) to \($0)" : "at most \($0)" } ?? "at least \(lower)"
                return fail("Tool \(tool) was called \(what)\(what.isEmpty ? "" : " ")\(calls.count) time\(calls.count == 1 ? "" : "s"); expected \(bound).",
                            expected: arguments.expected.map { "\(tool) \($0.compactString)" },
                            actual: Self.callList(execution.toolCalls))
            }
            return nil

        case let .toolOrder(order):
            var remaining = order[...]
            for call in execution.toolCalls where call.tool == remaining.first { remaining = remaining.dropFirst() }
            guard remaining.isEmpty else {
                return fail("The tools were not called in the order " + order.joined(separator: " → ") + "; `\(remaining.first!)` is missing at its place.",
                            expected: order.joined(separator: "\n"), actual: execution.toolCalls.map(\.tool).joined(separator: "\n"))
            }
            return nil

        case let .limits(limits):
            let over = RunLimit.allCases.compactMap { key -> String? in
                guard let bound = limits[key] else { return nil }
                let value = key.value(in: execution.metrics)
                return value > bound ? "\(key.rawValue) was \(value), over \(bound)" : nil
            }
            return over.isEmpty ? nil : fail("The run went over its limits: " + over.joined(separator: "; ") + ".")

        case .snapshot:
            guard let snapshot else { return fail("There is no recorded snapshot to compare with.") }
            guard let recorded = snapshot.output else {
                return fail("No snapshot is recorded in \(snapshot.source); run `arbor test --record` to record one.", actual: execution.output.prettyString)
            }
            return recorded == execution.output ? nil
                : fail("The output differs from the snapshot recorded in \(snapshot.source); if the change is intended, run `arbor test --record`.",
                       expected: recorded.prettyString, actual: execution.output.prettyString)

        case let .command(argv):
            return await runCommand(argv, execution: execution, testCase: testCase, fail: fail)
        }
    }

    /// Applies `check` to every value `path` selects; a path that selects nothing fails.
    private func eachSelected(_ path: JSONPath, in output: JSONValue, fail: (String, String?, String?) -> AssertionFailure,
                              check: (JSONValue) -> AssertionFailure?) -> AssertionFailure? {
        let selected = path.select(in: output)
        guard !selected.isEmpty else {
            return fail("\(path) selects nothing in the output.", nil, output.prettyString)
        }
        for (index, value) in selected.enumerated() {
            if var failure = check(value) {
                if selected.count > 1 { failure.message = "Value \(index + 1) of \(selected.count): " + failure.message }
                return failure
            }
        }
        return nil
    }

    private func runCommand(_ argv: [String], execution: CaseExecution, testCase: TestCase,
                            fail: (String, String?, String?) -> AssertionFailure) async -> AssertionFailure? {
        var input = execution.json.objectValue ?? [:]
        input["case"] = .string(testCase.name)
        input["workflow"] = .string(testCase.workflowName)
        input["inputs"] = .object(testCase.inputs)
        // The command's stdout need not be JSON: only its exit status counts, so a tool error
        // about non-JSON output after exit 0 is a pass.
        let tool = CommandTool(name: "assertion", description: "", parametersSchema: ["type": "object"],
                               template: CommandTemplate(argv: argv, timeoutSeconds: commandTimeoutSeconds))
        let outcome: ToolOutcome
        do {
            outcome = await (try ToolBox(tools: [tool])).call("assertion", arguments: .object(input))
        } catch {
            return fail("The command \(argv.joined(separator: " ")) could not be set up: \(error.description)", nil, nil)
        }
        switch outcome.result {
        case .success: return nil
        case .failure(.nonJSONOutput): return nil
        case .failure(.commandFailed(_, _, let status, let stderrTail)):
            return fail("The command \(argv.joined(separator: " ")) exited with status \(status)"
                        + (stderrTail.isEmpty ? "." : ": \(stderrTail)"), nil, nil)
        case .failure(let error):
            return fail(TestingError.commandNotStarted(command: argv.joined(separator: " "), message: error.description).description, nil, nil)
        }
    }

    // MARK: Comparisons

    /// JSON equality where two numbers are equal when they differ by at most `tolerance`.
    static func equal(_ actual: JSONValue, _ expected: JSONValue, tolerance: Double) -> Bool {
        switch (actual, expected) {
        case let (.array(a), .array(b)):
            return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1, tolerance: tolerance) }
        case let (.object(a), .object(b)):
            return a.count == b.count && b.allSatisfy { key, value in a[key].map { equal($0, value, tolerance: tolerance) } ?? false }
        default:
            if tolerance > 0, let x = actual.doubleValue, let y = expected.doubleValue { return abs(x - y) <= tolerance }
            return actual == expected
        }
    }

    /// Text contains text; a list contains an element (an object element may have more
    /// members than `value`); an object contains every member of `value`.
    static func contains(_ actual: JSONValue, _ value: JSONValue) -> Bool {
        switch (actual, value) {
        case let (.string(text), .string(part)): return text.contains(part)
        case let (.array(elements), _):
            return elements.contains { $0 == value || (value.objectValue != nil && ArgumentMatch.subset(value).matches($0)) }
        case (.object, .object): return ArgumentMatch.subset(value).matches(actual)
        default: return false
        }
    }

    static func callList(_ calls: [ToolOutcome]) -> String {
        calls.isEmpty ? "(no tool calls)" : calls.map { "\($0.tool) \($0.arguments.compactString)" }.joined(separator: "\n")
    }
}
