import ArborSchema
import ArborSpec
import ArborTesting
import ArborTools
import Foundation
import XCTest

/// A case executor that runs a script instead of a model: it calls tools through the
/// invoker it is given (so fixtures, cassettes and recording are exercised for real) and
/// returns the output the script builds.
struct ScriptedExecutor: CaseExecutor {
    let script: @Sendable (TestCase, JSONObject, any ToolInvoking) async throws -> CaseExecution

    func execute(_ testCase: TestCase, workflow: Workflow, inputs: JSONObject, tools: any ToolInvoking) async throws -> CaseExecution {
        try await script(testCase, inputs, tools)
    }
}

/// Calls each tool the script lists in order and answers `{"answer": <first result's "result">}`.
func callingExecutor(_ calls: [(String, JSONValue)]) -> ScriptedExecutor {
    let calls = calls.map { ToolRequestScript(tool: $0.0, arguments: $0.1) }
    return ScriptedExecutor { _, _, tools in
        var outcomes: [ToolOutcome] = []
        for call in calls { outcomes.append(await tools.invoke(call.tool, arguments: call.arguments)) }
        let answer = outcomes.first?.value?["result"] ?? .null
        return CaseExecution(output: ["answer": answer], toolCalls: outcomes,
                             metrics: CaseMetrics(generatedTokens: 10, toolCalls: outcomes.count))
    }
}

struct ToolRequestScript: Sendable {
    let tool: String
    let arguments: JSONValue
}

enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    /// A workflow with a built-in and a command tool, written into `folder`.
    static func workflowText(tests: String) -> String {
        """
        arbor: 1
        name: calc
        inputs:
          question: str
        instructions: "Answer {{question}}."
        tools:
          - name: calculator
            builtin: calculator
          - name: echo
            description: Echo the arguments.
            parameters:
              text: str
            command:
              argv: [python3, \(directory)/echo_tool.py]
        output:
          answer: float
        tests:
        \(tests)
        """
    }
}

/// A fresh folder under the temporary directory, removed when the test ends.
func makeTemporaryFolder(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "arbor-testing-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

func write(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}
