@testable import ArborTools
import ArborSchema
import ArborSpec
import Foundation
import XCTest

final class ToolBoxTests: XCTestCase {
    func testInvalidArgumentsAreRefusedBeforeTheCallWithToolAndPointer() async throws {
        let box = try ToolBox(tools: [BuiltinToolImplementation(.unitConvert)])
        let outcome = await box.call("unit_convert", arguments: ["value": "ten", "from_unit": "km"])
        guard case .invalidArguments(let tool, let violations)? = outcome.error else { return XCTFail("\(outcome.result)") }
        XCTAssertEqual(tool, "unit_convert")
        XCTAssertEqual(Set(violations.map(\.instancePath.string)), ["/value", ""])
        let message = outcome.error!.description
        XCTAssertTrue(message.hasPrefix("The arguments of tool 'unit_convert' are invalid: "), message)
        XCTAssertTrue(message.contains("/value: expected number, got string"), message)
        XCTAssertTrue(message.contains("to_unit"), message)
        XCTAssertEqual(outcome.modelJSON, ["error": .string(message)])
    }

    func testArgumentsTextIsParsedAndMalformedTextIsAnErrorOutcome() async throws {
        let box = try ToolBox(tools: [BuiltinToolImplementation(.calculator)])
        let good = await box.call("calculator", argumentsText: #"{"expression": "7 * 6"}"#)
        XCTAssertEqual(good.value, ["result": 42, "exact": true])
        XCTAssertEqual(good.arguments, ["expression": "7 * 6"])
        let bad = await box.call("calculator", argumentsText: #"{"expression": "7 * 6""#)
        guard case .malformedArguments(let tool, _)? = bad.error else { return XCTFail("\(bad.result)") }
        XCTAssertEqual(tool, "calculator")
        XCTAssertTrue(bad.error!.description.hasPrefix("The arguments of tool 'calculator' are not JSON: "), bad.error!.description)
    }

    func testUnknownToolNamesTheKnownOnes() async throws {
        let box = try ToolBox(tools: [BuiltinToolImplementation(.calculator), BuiltinToolImplementation(.datetime)])
        let outcome = await box.call("search", arguments: [:])
        XCTAssertEqual(outcome.error?.description, "There is no tool called 'search'; the tools are: calculator, datetime.")
    }

    func testAThrowingToolOrAHangingToolBecomesARecordedOutcome() async throws {
        let box = try ToolBox(tools: [Hang(), Throwing()])
        let hung = await box.call("hang", arguments: [:])
        XCTAssertEqual(hung.error, .timedOut(tool: "hang", target: "built-in", seconds: 0.2))
        XCTAssertEqual(hung.error?.description, "Tool 'hang' (built-in) did not finish within 0.2 s and was stopped.")
        let shorter = await box.call("hang", arguments: [:], timeoutSeconds: 0.1)
        XCTAssertEqual(shorter.error, .timedOut(tool: "hang", target: "built-in", seconds: 0.1))
        let thrown = await box.call("throwing", arguments: [:])
        XCTAssertEqual(thrown.error, .builtinFailed(tool: "throwing", message: "CocoaError-free failure"))
    }

    func testABadParameterSchemaIsRefusedAtRegistration() {
        let tool = CommandTool(name: "bad", description: "", parametersSchema: ["type": "objekt"],
                               template: CommandTemplate(argv: ["true"]))
        XCTAssertThrowsError(try ToolBox(tools: [tool])) { error in
            guard case .invalidParameterSchema(let name, _)? = error as? ToolError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "bad")
        }
    }

    func testWorkflowToolsAreBuiltFromTheSpec() async throws {
        let http = try FixtureServer(script: "http_server.py")
        defer { http.stop() }
        let yaml = """
            arbor: 1
            name: tools-test
            instructions: Use the tools.
            servers:
              fixture:
                command: [python3, \(Fixtures.path("mcp_server.py"))]
            tools:
              - name: calc
                builtin: calculator
              - name: echo
                description: Echo through a command.
                parameters: {mode: str, text: str}
                command: {argv: [python3, \(Fixtures.path("command_tool.py")), "{{text}}"]}
              - name: lookup
                description: Look something up over HTTP.
                parameters: {q: str}
                http:
                  url: "\(http.baseURL)/echo?q={{q}}"
                  allowed_hosts: [127.0.0.1]
              - name: add
                description: Add on the MCP server.
                mcp: {server: fixture}
              - name: hello
                description: Greet on the MCP server.
                parameters: {name: str}
                mcp: {server: fixture, tool: greet}
            output:
              answer: str
            """
        let (loaded, diagnostics) = WorkflowLoader.load(text: yaml)
        let workflow = try XCTUnwrap(loaded, diagnostics.map(\.description).joined(separator: "\n"))
        let box = try await ToolBox(workflow: workflow)
        let names = await box.toolNames
        XCTAssertEqual(names, ["calc", "echo", "lookup", "add", "hello"])
        let addSchema = await box.tool(named: "add")?.parametersSchema
        XCTAssertEqual(addSchema?["required"], ["a", "b"])

        let calc = await box.call("calc", arguments: ["expression": "0.1 + 0.2"])
        XCTAssertEqual(calc.value?["fraction"], "3/10")
        let echo = await box.call("echo", arguments: ["mode": "echo", "text": "x y"])
        XCTAssertEqual(echo.value?["argv"], ["x y"])
        let lookup = await box.call("lookup", arguments: ["q": "a b"])
        XCTAssertEqual(lookup.value?["query"], ["q": "a b"])
        let add = await box.call("add", arguments: ["a": 2, "b": 40])
        XCTAssertEqual(add.value, ["sum": 42])
        let badAdd = await box.call("add", arguments: ["a": 2])
        XCTAssertEqual(badAdd.error?.description, "The arguments of tool 'add' are invalid: (root): missing required property \"b\". Call it again with arguments that match its parameters.")
        let hello = await box.call("hello", arguments: ["name": "Ada"])
        XCTAssertEqual(hello.value, ["text": "Hello, Ada!"])
        await box.shutdown()
        let afterShutdown = await box.call("hello", arguments: ["name": "Ada"])
        XCTAssertNotNil(afterShutdown.error)
    }
}

private struct Hang: ArborTool {
    var name: String { "hang" }
    var description: String { "Never returns." }
    var parametersSchema: JSONValue { ["type": "object"] }
    var timeoutSeconds: Double { 0.2 }
    func call(arguments: JSONValue) async throws -> JSONValue {
        // Ignores cancellation on purpose: the box must not wait for it.
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(deadline: .now() + 3) { c.resume() }
        }
        return [:]
    }
}

private struct Throwing: ArborTool {
    struct Failure: Error, CustomStringConvertible { var description: String { "CocoaError-free failure" } }
    var name: String { "throwing" }
    var description: String { "Always throws." }
    var parametersSchema: JSONValue { ["type": "object"] }
    var timeoutSeconds: Double { 5 }
    func call(arguments: JSONValue) async throws -> JSONValue { throw Failure() }
}
