import ArborSchema
import ArborSpec
@testable import ArborTesting
import ArborTools
import XCTest

final class AssertionEvaluatorTests: XCTestCase {
    let schema: JSONValue = [
        "type": "object", "required": ["answer", "unit", "steps"],
        "properties": ["answer": ["type": "number"], "unit": ["type": "string"], "steps": ["type": "array", "items": ["type": "string"]]],
    ]
    let testCase = TestCase(name: "t", workflowName: "w", workflowPath: "w.yaml",
                            location: SourceLocation(file: "w.yaml", line: 1, column: 1), cassettePath: "/nonexistent.json")

    func execution(_ output: JSONValue, calls: [(String, JSONValue)] = [], metrics: CaseMetrics = CaseMetrics()) -> CaseExecution {
        CaseExecution(output: output,
                      toolCalls: calls.map { ToolOutcome(tool: $0.0, arguments: $0.1, result: .success(["ok": true]), duration: .zero) },
                      metrics: metrics)
    }

    let good: JSONValue = ["answer": 1157.6291, "unit": "dollars", "steps": ["Multiply 1000 by 1.05^3", "Round"]]

    func check(_ kind: Assertion.Kind, _ run: CaseExecution) async throws -> AssertionFailure? {
        try await AssertionEvaluator(outputSchema: schema).evaluate(Assertion(kind), on: run, testCase: testCase)
    }

    func testSchemaCheckFailsOnOutputThatBreaksTheSchema() async throws {
        let failure = try await check(.schemaValid, execution(["answer": "many", "unit": "x", "steps": []]))
        XCTAssertNotNil(failure)
        XCTAssertTrue(failure!.message.contains("/answer"), failure!.message)
        let passing = try await check(.schemaValid, execution(good))
        XCTAssertNil(passing)
    }

    func testARunClosedAtItsTokenLimitFailsEvenWithAValidAnswer() async throws {
        let closed = try await check(.withinTokenLimit, execution(good, metrics: CaseMetrics(roundsClosedAtTokenLimit: [0])))
        XCTAssertTrue(closed?.message.contains("limits.max_tokens") == true, closed?.message ?? "passed")
        XCTAssertTrue(closed?.message.contains("round 0") == true, closed?.message ?? "passed")
        let finished = try await check(.withinTokenLimit, execution(good))
        XCTAssertNil(finished)
        // always checked, like the schema, right after it
        let failures = await (try AssertionEvaluator(outputSchema: schema))
            .evaluateAll([], on: execution(good, metrics: CaseMetrics(roundsClosedAtTokenLimit: [2])), testCase: testCase)
        XCTAssertEqual(failures.map(\.assertion.kind), [.withinTokenLimit])
    }

    func testEqualsUsesTheToleranceForNumbersAtAnyDepth() async throws {
        let path = try JSONPath("$.answer")
        let within = try await check(.equals(path: path, value: 1157.63, tolerance: 0.01), execution(good))
        XCTAssertNil(within)
        let exact = try await check(.equals(path: path, value: 1157.63, tolerance: 0), execution(good))
        XCTAssertNotNil(exact)
        XCTAssertEqual(exact?.diff, "- 1157.63\n+ 1157.6291")
        let whole = try await check(.equals(path: .root, value: ["answer": 1157.6, "unit": "dollars", "steps": ["Multiply 1000 by 1.05^3", "Round"]],
                                            tolerance: 0.1), execution(good))
        XCTAssertNil(whole)
    }

    func testEqualsOnAMissingPathSaysItSelectsNothing() async throws {
        let failure = try await check(.equals(path: try JSONPath("$.total"), value: 1, tolerance: 0), execution(good))
        XCTAssertEqual(failure?.message, "$.total selects nothing in the output.")
    }

    func testContainsLooksInTextListsAndObjects() async throws {
        let inText = try await check(.contains(path: try JSONPath("$.unit"), value: "doll"), execution(good))
        XCTAssertNil(inText)
        let inList = try await check(.contains(path: try JSONPath("$.steps"), value: "Round"), execution(good))
        XCTAssertNil(inList)
        let inObject = try await check(.contains(path: .root, value: ["unit": "dollars"]), execution(good))
        XCTAssertNil(inObject)
        let missing = try await check(.contains(path: try JSONPath("$.steps"), value: "Divide"), execution(good))
        XCTAssertEqual(missing?.message, "$.steps does not contain \"Divide\".")
    }

    func testMatchesSearchesTheStringAndEveryWildcardValue() async throws {
        let first = try await check(.matches(path: try JSONPath("$.steps[0]"), pattern: "1\\.05"), execution(good))
        XCTAssertNil(first)
        let all = try await check(.matches(path: try JSONPath("$.steps[*]"), pattern: "^M"), execution(good))
        XCTAssertEqual(all?.message, "Value 2 of 2: $.steps[*] does not match /^M/.")
    }

    func testComparisonsAndLengthBoundTheSelectedValues() async throws {
        let inRange = try await check(.compare(path: try JSONPath("$.answer"), comparisons: [Comparison(.gt, 1000), Comparison(.lte, 1200)]), execution(good))
        XCTAssertNil(inRange)
        let tooBig = try await check(.compare(path: try JSONPath("$.answer"), comparisons: [Comparison(.lt, 1000)]), execution(good))
        XCTAssertEqual(tooBig?.message, "$.answer is 1157.6291, which is not < 1000.")
        let notNumber = try await check(.compare(path: try JSONPath("$.unit"), comparisons: [Comparison(.gt, 0)]), execution(good))
        XCTAssertEqual(notNumber?.message, "$.unit is string, not a number.")
        let length = try await check(.length(path: try JSONPath("$.steps"), minimum: 3, maximum: nil), execution(good))
        XCTAssertEqual(length?.message, "$.steps has length 2, less than 3.")
        let textLength = try await check(.length(path: try JSONPath("$.unit"), minimum: nil, maximum: 7), execution(good))
        XCTAssertNil(textLength)
    }

    func testToolCallExpectationsCountMatchingCalls() async throws {
        let run = execution(good, calls: [("search", ["query": "a"]), ("fetch", ["url": "x"]), ("search", ["query": "b", "count": 2])])
        let calledWith = try await check(.toolCalled(tool: "search", arguments: .subset(["query": "b"]), atLeast: nil, atMost: nil), run)
        XCTAssertNil(calledWith)
        let atMost = try await check(.toolCalled(tool: "search", arguments: .any, atLeast: nil, atMost: 1), run)
        XCTAssertEqual(atMost?.message, "Tool search was called 2 times; expected at most 1.")
        XCTAssertEqual(atMost?.actual, "search {\"query\":\"a\"}\nfetch {\"url\":\"x\"}\nsearch {\"query\":\"b\",\"count\":2}")
        let never = try await check(.toolCalled(tool: "search", arguments: .exact(["query": "c"]), atLeast: nil, atMost: nil), run)
        XCTAssertEqual(never?.message, "Tool search was called with {\"query\":\"c\"} (exact) 0 times; expected at least 1.")
        let exactly = try await check(.toolCalled(tool: "fetch", arguments: .any, atLeast: 1, atMost: 1), run)
        XCTAssertNil(exactly)
    }

    func testToolOrderIsASubsequenceOfTheCalls() async throws {
        let run = execution(good, calls: [("search", [:]), ("calculator", [:]), ("fetch", [:])])
        let inOrder = try await check(.toolOrder(["search", "fetch"]), run)
        XCTAssertNil(inOrder)
        let reversed = try await check(.toolOrder(["fetch", "search"]), run)
        XCTAssertEqual(reversed?.message, "The tools were not called in the order fetch → search; `search` is missing at its place.")
    }

    func testLimitsCompareTheRunFigures() async throws {
        let run = execution(good, metrics: CaseMetrics(promptTokens: 90, generatedTokens: 300, forcedTokens: 120, peakKVSlots: 700, toolCalls: 2))
        let within = try await check(.limits([.tokens: 420, .kvPeak: 800, .toolCalls: 2]), run)
        XCTAssertNil(within)
        let over = try await check(.limits([.tokens: 400, .generatedTokens: 300, .kvPeak: 600]), run)
        XCTAssertEqual(over?.message, "The run went over its limits: tokens was 420, over 400; kv_peak was 700, over 600.")
    }

    func testCommandAssertionReadsTheRunOnStdinAndPassesOnExitZero() async throws {
        let script = Fixture.directory + "/check_answer.py"
        let pass = try await check(.command(argv: ["python3", script]), execution(["answer": 42]))
        XCTAssertNil(pass)
        let fail = try await check(.command(argv: ["python3", script]), execution(["answer": 41]))
        XCTAssertEqual(fail?.message, "The command python3 \(script) exited with status 3: answer is 41, not 42")
        let missing = try await check(.command(argv: ["/nonexistent/checker"]), execution(["answer": 42]))
        XCTAssertTrue(missing?.message.contains("could not be started") == true, missing?.message ?? "passed")
    }

    func testEvaluateAllPutsTheSchemaCheckFirst() async throws {
        let evaluator = try AssertionEvaluator(outputSchema: schema)
        let failures = await evaluator.evaluateAll([Assertion(.equals(path: try JSONPath("$.answer"), value: 1, tolerance: 0))],
                                                   on: execution(["answer": 2]), testCase: testCase)
        XCTAssertEqual(failures.map(\.assertion.kind), [.schemaValid, .equals(path: try JSONPath("$.answer"), value: 1, tolerance: 0)])
    }
}
