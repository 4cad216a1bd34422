@testable import ArborTools
import ArborSchema
import ArborSpec
import Foundation
import XCTest

/// Command tools and MCP stdio servers see a minimal environment plus their `env:`, never
/// the secrets in Arbor's own environment.
final class ChildEnvironmentTests: XCTestCase {
    override func setUp() {
        setenv("ARBOR_TEST_PARENT_SECRET", "do-not-leak", 1)
        setenv("ARBOR_TEST_PARENT_OTHER", "also-not", 1)
    }

    override func tearDown() {
        unsetenv("ARBOR_TEST_PARENT_SECRET")
        unsetenv("ARBOR_TEST_PARENT_OTHER")
    }

    func testACommandToolSeesOnlyTheMinimalEnvironmentAndItsEnvEntries() async throws {
        let template = CommandTemplate(argv: ["python3", Fixtures.path("command_tool.py")],
                                       environment: [HTTPHeader(name: "API_TOKEN", value: "${ARBOR_TEST_PARENT_SECRET}"),
                                                     HTTPHeader(name: "MODE", value: "plain")])
        let tool = CommandTool(name: "fixture", description: "", parametersSchema: ["type": "object"], template: template)
        let result = try await tool.call(arguments: ["mode": "env"])
        let environment = try XCTUnwrap(result["environment"]?.objectValue)
        XCTAssertNil(environment["ARBOR_TEST_PARENT_SECRET"], "the parent's secret leaked: \(environment.keys)")
        XCTAssertEqual(environment["API_TOKEN"], "do-not-leak", "a secret handed over by name arrives")
        XCTAssertEqual(environment["MODE"], "plain")
        XCTAssertNotNil(environment["PATH"], "PATH is passed on")
        XCTAssertNil(environment["ARBOR_TEST_PARENT_OTHER"], "no other variable of Arbor's is passed on")
    }

    func testAMissingVariableInACommandEnvIsAClearError() async throws {
        let template = CommandTemplate(argv: ["python3", Fixtures.path("command_tool.py")],
                                       environment: [HTTPHeader(name: "API_TOKEN", value: "${ARBOR_TEST_UNSET_VARIABLE}")])
        let tool = CommandTool(name: "fixture", description: "", parametersSchema: ["type": "object"], template: template)
        let outcome = try await ToolBox(tools: [tool]).call("fixture", arguments: ["mode": "env"])
        XCTAssertEqual(outcome.error?.description,
                       "Tool 'fixture': its environment entry API_TOKEN uses ${ARBOR_TEST_UNSET_VARIABLE} but the environment variable ARBOR_TEST_UNSET_VARIABLE is not set; export it before the run.")
    }

    func testAnMCPStdioServerSeesOnlyTheMinimalEnvironmentAndItsEnvEntries() async throws {
        let server = MCPServer(name: "fixture", transport: .stdio(command: ["python3", Fixtures.path("mcp_server.py")],
                                                                  environment: [HTTPHeader(name: "GIVEN", value: "yes")]))
        let connection = try await MCPServerConnection.start(server)
        let whoami = try await connection.tool(named: "whoami")
        let result = try await whoami.call(arguments: [:])
        await connection.shutdown()
        let environment = try XCTUnwrap(result["environment"]?.objectValue)
        XCTAssertNil(environment["ARBOR_TEST_PARENT_SECRET"], "the parent's secret leaked: \(environment.keys)")
        XCTAssertNil(environment["ARBOR_TEST_PARENT_OTHER"])
        XCTAssertEqual(environment["GIVEN"], "yes")
        XCTAssertNotNil(environment["PATH"])
    }
}
