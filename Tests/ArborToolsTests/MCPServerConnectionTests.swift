@testable import ArborTools
import ArborSchema
import ArborSpec
import Foundation
import XCTest

final class MCPServerConnectionTests: XCTestCase {
    private func fixtureServer() -> MCPServer {
        MCPServer(name: "fixture", transport: .stdio(command: ["python3", Fixtures.path("mcp_server.py")], environment: []))
    }

    func testStdioFixtureListsCallsAndShutsDownTheChild() async throws {
        let server = try await MCPServerConnection.start(fixtureServer())
        let listed = await server.listedTools.map(\.name)
        XCTAssertEqual(listed, ["add", "greet", "fail", "slow", "crash", "whoami"])

        let add = try await server.tool(named: "add")
        XCTAssertEqual(add.parametersSchema["properties"]?["a"], ["type": "number"])
        let sum = try await add.call(arguments: ["a": 1.5, "b": 2])
        XCTAssertEqual(sum, ["sum": 3.5])

        let greet = try await server.tool(named: "greet", as: "hello")
        let greeting = try await greet.call(arguments: ["name": "Grace"])
        XCTAssertEqual(greeting, ["text": "Hello, Grace!"])

        let fail = try await server.tool(named: "fail")
        do {
            _ = try await fail.call(arguments: [:])
            XCTFail("isError was not reported")
        } catch let error as ToolError {
            XCTAssertEqual(error.description, "Tool 'fail' on MCP server 'fixture' reported an error: the fixture was asked to fail")
        }

        let whoami = try await server.tool(named: "whoami")
        let me = try await whoami.call(arguments: [:])
        let pid = try XCTUnwrap(me["pid"]?.integerValue)
        XCTAssertTrue(processExists(Int32(pid)))
        await server.shutdown()
        let running = await server.isRunning
        XCTAssertFalse(running)
        XCTAssertFalse(processExists(Int32(pid)), "the MCP server process outlived shutdown")
    }

    func testMissingRemoteToolNamesWhatTheServerHas() async throws {
        let server = try await MCPServerConnection.start(fixtureServer())
        defer { Task { await server.shutdown() } }
        do {
            _ = try await server.tool(named: "search", as: "web_search")
            XCTFail("a missing tool was bound")
        } catch {
            XCTAssertEqual(error.description, "Tool 'web_search': MCP server 'fixture' has no tool 'search'; it lists: add, greet, fail, slow, crash, whoami.")
        }
        await server.shutdown()
    }

    func testSlowMCPToolTimesOutThroughTheToolBox() async throws {
        let server = try await MCPServerConnection.start(fixtureServer())
        let slow = try await server.tool(named: "slow", timeoutSeconds: 1)
        let box = try ToolBox(tools: [slow])
        let outcome = await box.call("slow", arguments: ["seconds": 30])
        XCTAssertEqual(outcome.error, .timedOut(tool: "slow", target: "MCP server 'fixture'", seconds: 1))
        // The session still works after an abandoned call.
        let add = try await server.tool(named: "add")
        let sum = try await add.call(arguments: ["a": 1, "b": 1])
        XCTAssertEqual(sum, ["sum": 2])
        await server.shutdown()
    }

    func testServerThatExitsAtOnceFailsToStartWithItsStatusAndStderr() async throws {
        let script = "import sys; sys.stderr.write('no MCP here'); sys.exit(4)"
        let notMCP = MCPServer(name: "broken", transport: .stdio(command: ["python3", "-c", script], environment: []))
        do {
            _ = try await MCPServerConnection.start(notMCP, startupTimeout: 60)
            XCTFail("a non-MCP program started as a server")
        } catch {
            XCTAssertEqual(error.description, "MCP server 'broken' (python3 -c \(script)) failed: it exited with status 4 (stderr ends with: no MCP here) before initialising.")
        }
    }

    func testServerCrashDuringACallIsAnErrorOutcomeNotAHang() async throws {
        let server = try await MCPServerConnection.start(fixtureServer())
        let box = try ToolBox(tools: [try await server.tool(named: "crash", timeoutSeconds: 60)])
        let outcome = await box.call("crash", arguments: [:])
        guard case .mcpCallFailed(let tool, let serverName, let target, let message)? = outcome.error else { return XCTFail("\(outcome.result)") }
        XCTAssertEqual(serverName, "fixture")
        XCTAssertEqual(target, "python3 " + Fixtures.path("mcp_server.py"))
        XCTAssertEqual(tool, "crash")
        XCTAssertEqual(message, "it exited with status 7 (stderr ends with: fixture: crashing on purpose)")
        XCTAssertTrue(outcome.error!.description.contains("mcp_server.py"), outcome.error!.description)
        await server.shutdown()
    }

    func testServerEnvironmentNeedsItsVariables() async throws {
        let server = MCPServer(name: "fixture", transport: .stdio(command: ["python3", Fixtures.path("mcp_server.py")],
                                                                  environment: [HTTPHeader(name: "TOKEN", value: "${ARBOR_TEST_UNSET_TOKEN}")]))
        do {
            _ = try await MCPServerConnection.start(server, environment: [:])
            XCTFail("a missing variable was accepted")
        } catch {
            XCTAssertTrue(error.description.contains("uses ${ARBOR_TEST_UNSET_TOKEN}, which is not set"), error.description)
        }
    }

    /// The official reference server from PyPI (installed by scripts/setup.sh).
    func testOfficialTimeServerAnswersGetCurrentTime() async throws {
        try Fixtures.requirePythonModule("mcp_server_time")
        let server = try await MCPServerConnection.start(
            MCPServer(name: "time", transport: .stdio(command: ["python3", "-m", "mcp_server_time", "--local-timezone", "UTC"], environment: [])),
            startupTimeout: 120)  // importing the Python SDK takes seconds on a loaded machine
        let listed = await server.listedTools.map(\.name)
        XCTAssertTrue(listed.contains("get_current_time"), "\(listed)")
        let box = try ToolBox(tools: [try await server.tool(named: "get_current_time", as: "now")])
        let outcome = await box.call("now", arguments: ["timezone": "Europe/Paris"])
        let value = try XCTUnwrap(outcome.value, "\(outcome.result)")
        XCTAssertEqual(value["timezone"], "Europe/Paris")
        let datetime = try XCTUnwrap(value["datetime"]?.stringValue)
        XCTAssertTrue(StringFormat.dateTime.isValid(datetime), datetime)
        let invalid = await box.call("now", arguments: [:])
        XCTAssertTrue(invalid.error?.description.hasPrefix("The arguments of tool 'now' are invalid") ?? false, "\(invalid.result)")
        let badZone = await box.call("now", arguments: ["timezone": "Mars/Olympus"])
        XCTAssertNotNil(badZone.error, "\(badZone.result)")
        await server.shutdown()
    }

    func testStreamableHTTPFixtureListsAndCalls() async throws {
        let http = try FixtureServer(script: "mcp_server.py", arguments: ["--http"])
        defer { http.stop() }
        let server = try await MCPServerConnection.start(
            MCPServer(name: "remote", transport: .http(url: http.baseURL + "/mcp", headers: [])), startupTimeout: 20)
        let listed = await server.listedTools.map(\.name)
        XCTAssertEqual(listed, ["add", "greet", "fail", "slow", "crash", "whoami"])
        let add = try await server.tool(named: "add")
        let sum = try await add.call(arguments: ["a": 20, "b": 22])
        XCTAssertEqual(sum, ["sum": 42])
        await server.shutdown()
    }
}
