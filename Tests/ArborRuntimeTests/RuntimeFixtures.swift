import ArborModel
import ArborRuntime
import ArborSpec
import ArborTestSupport
import ArborTools
import Foundation
import XCTest

/// The default model and small workflows for the runtime's tests.
enum RuntimeFixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    static var modelPath: String { ModelFiles.defaultModelLocation }

    /// The default model, or a failure telling the user to run `make setup`.
    static func loadModel(file: StaticString = #filePath, line: UInt = #line) throws -> (file: GGUFFile, tokenizer: BPETokenizer, template: ChatTemplate) {
        let file = try GGUFFile(path: ModelFiles.defaultModelPath(file: file, line: line))
        return (file, try BPETokenizer(gguf: file), try ChatTemplate(gguf: file))
    }

    /// A small workflow with a tool of each kind: an MCP server written as a fixture (its
    /// `add` tool imports its schema), the reference `mcp-server-time`, a command tool that
    /// counts its calls, and the calculator.
    static func toolWorkflow(pruneBuffer: Int = 2, maxDepth: Int = 2, httpPort: Int? = nil, roundBudget: Int? = nil) throws -> Workflow {
        let rounds = roundBudget.map { "\n  round_budget: \($0)\n  max_rounds: 3" } ?? ""
        let httpTool = httpPort.map { port in
            """

              - name: echo
                description: Echo a text through an HTTP service.
                parameters: {text: str}
                http: {url: "http://127.0.0.1:\(port)/echo?q={{text}}"}
            """
        } ?? ""
        let mcpFixture = packageRoot.appendingPathComponent("Tests/ArborToolsTests/Fixtures/mcp_server.py").path
        // A command sees only the variables its `env:` names, and a missing one fails the
        // call: tests that do not count the tool's calls log them nowhere.
        if ProcessInfo.processInfo.environment["ARBOR_TEST_TOOL_LOG"] == nil { setenv("ARBOR_TEST_TOOL_LOG", "/dev/null", 1) }
        let yaml = """
            arbor: 1
            name: tools-in-loop
            instructions: |
              Answer the question. Use the tools.

              Question: {{question}}
            inputs:
              question: str
            servers:
              fixture:
                command: [python3, "\(mcpFixture)"]
              time:
                command: [python3, -m, mcp_server_time, --local-timezone, UTC]
            tools:
              - name: add
                description: Add two numbers.
                mcp: {server: fixture}
              - name: get_current_time
                description: The current time in a time zone.
                parameters: {timezone: str}
                mcp: {server: time}
              - name: count
                description: Count the characters of a text.
                parameters: {text: str}
                command:
                  argv: [python3, "\(path("counting_tool.py"))"]
                  env: {ARBOR_TEST_TOOL_LOG: "${ARBOR_TEST_TOOL_LOG}"}
              - name: calculator
                builtin: calculator\(httpTool)
            output:
              result: str
            limits:
              max_depth: \(maxDepth)
              max_breadth: 3
              max_tool_calls: 4
              max_tokens: 900
              max_text_length: 100
              prune_buffer: \(pruneBuffer)\(rounds)
            """
        let (workflow, diagnostics) = WorkflowLoader.load(text: yaml, file: "tools-in-loop.yaml")
        guard let workflow, !diagnostics.contains(where: { $0.severity == .error }) else {
            throw NSError(domain: "RuntimeFixtures", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(diagnostics)"])
        }
        return workflow
    }

    /// The HTTP server of ArborTools' fixtures on 127.0.0.1 and a free port, until `stop()`.
    final class HTTPServer {
        private let process = Process()
        private let input = Pipe()
        let port: Int

        init() throws {
            let output = Pipe()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", packageRoot.appendingPathComponent("Tests/ArborToolsTests/Fixtures/http_server.py").path]
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            var line = Data()
            while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
                line.append(byte)
            }
            guard let port = Int(String(decoding: line, as: UTF8.self)) else {
                process.terminate()
                throw NSError(domain: "RuntimeFixtures", code: 2, userInfo: [NSLocalizedDescriptionKey: "http_server.py printed no port"])
            }
            self.port = port
        }

        func stop() {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }

    /// Counts a runner's steps and stops it after `stopAfter` of them.
    final class StepCounter {
        var steps = 0
        var stopAfter = Int.max

        init(attachedTo runner: WorkflowRunner) {
            runner.onProgress = { _ in self.steps += 1 }
            runner.shouldStop = { self.steps >= self.stopAfter }
        }
    }

    /// A recorded-looking progress that feeds `text` as forced tokens: a test's way to steer
    /// the tree (into a tool call, into subtasks) and let the model go on from there.
    static func forcedPrefix(_ text: String, tokenizer: BPETokenizer) -> RecordedProgress {
        RecordedProgress(promptTokens: [], tokens: tokenizer.encode(text, parseSpecial: false).map { ($0, .forced) },
                         toolCalls: [], isRecorded: false)
    }
}
