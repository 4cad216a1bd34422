import ArborSpec
import XCTest

/// Tool settings that guard the machine: a command's `env:`, the warning for a shell whose
/// script holds a placeholder, and the default bound on tool strings.
final class ToolSafetyChecksTests: XCTestCase {
    private func load(_ tools: String, limits: String = "") -> (Workflow?, [SpecDiagnostic]) {
        WorkflowLoader.load(text: """
            arbor: 1
            name: safety
            inputs:
              question: str
            instructions: Answer {{question}}
            output:
              answer: str
            tools:
            \(tools)
            \(limits)
            """, file: "safety.yaml")
    }

    func testACommandToolTakesEnvEntries() throws {
        let (workflow, diagnostics) = load("""
              - name: count
                description: Count words.
                parameters: {text: str}
                command:
                  argv: [python3, count.py, "{{text}}"]
                  env: {API_TOKEN: "${COUNT_TOKEN}", MODE: fast, LEVEL: 3}
            """)
        XCTAssertEqual(diagnostics, [])
        guard case .command(let command)? = workflow?.tool(named: "count")?.implementation else { return XCTFail("not a command") }
        XCTAssertEqual(command.environment, [HTTPHeader(name: "API_TOKEN", value: "${COUNT_TOKEN}"), HTTPHeader(name: "MODE", value: "fast"),
                                             HTTPHeader(name: "LEVEL", value: "3")])
    }

    func testAShellScriptWithAPlaceholderIsWarnedAbout() throws {
        let (workflow, diagnostics) = load("""
              - name: search
                description: Search notes.
                parameters: {text: str}
                command: [sh, -c, "grep {{text}} notes.txt"]
              - name: safe
                description: Search notes safely.
                parameters: {text: str}
                command: [/bin/bash, -ec, 'grep -- "$1" notes.txt', bash, "{{text}}"]
              - name: wrapped
                description: Through env.
                parameters: {text: str}
                command: [env, bash, -lc, "echo {{text}}"]
            """)
        XCTAssertNotNil(workflow, "a warning does not stop the workflow")
        let warnings = diagnostics.filter { $0.severity == .warning }.map { "\($0.line):\($0.column) \($0.message)" }
        XCTAssertEqual(warnings, [
            "12:23 this command starts a shell with a `{{...}}` inside its script, so a value the model chooses is run as shell code",
            "20:31 this command starts a shell with a `{{...}}` inside its script, so a value the model chooses is run as shell code",
        ])
    }

    func testToolStringsAreBoundedByDefaultAndTheBoundIsConfigurable() throws {
        let tool = """
              - name: calculator
                builtin: calculator
            """
        XCTAssertEqual(load(tool).0?.limits.maxToolStringLength, 512)
        XCTAssertEqual(load(tool, limits: "limits: {max_tool_string_length: 64}").0?.limits.maxToolStringLength, 64)
        let (_, diagnostics) = load(tool, limits: "limits: {max_tool_string_length: 0}")
        XCTAssertTrue(diagnostics.contains { $0.message.contains("max_tool_string_length") }, "\(diagnostics)")
    }
}
