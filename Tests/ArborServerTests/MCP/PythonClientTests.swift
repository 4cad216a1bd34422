import ArborSchema
import Foundation
import XCTest

/// `arbor mcp` driven by a client none of us wrote: the official Python MCP client (`mcp`
/// from PyPI, installed by scripts/setup.sh) runs `Fixtures/python_mcp_client.py`, which lists
/// the tools, calls with bad arguments, calls math-solver with progress, and cancels a long
/// call of long-report, then finds its run paused in the SQLite store; over stdio, and over
/// streamable HTTP (`arbor mcp --http`).
final class PythonClientTests: XCTestCase {
    static var script: String {
        MCPServerProcess.packageRoot.appendingPathComponent("Tests/ArborServerTests/Fixtures/python_mcp_client.py").path
    }

    func testThePythonClientListsCallsReceivesProgressAndCancelsIntoAPausedRunOverStdio() throws {
        try runPythonClient(arguments: [], transport: "stdio")
    }

    func testThePythonClientDoesTheSameOverStreamableHTTP() throws {
        try runPythonClient(arguments: ["--http"], transport: "http")
    }

    private func runPythonClient(arguments: [String], transport: String) throws {
        try MCPServerProcess.requireBinaryAndModel()
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "from mcp import Client; import jsonschema"]
        try check.run()
        check.waitUntilExit()
        guard check.terminationStatus == 0 else {
            XCTFail("The Python MCP client is not installed; run scripts/setup.sh (make setup), which installs mcp==2.3.0.")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-mcp-py-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outURL = folder.appendingPathComponent("stdout"), errURL = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)

        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        client.arguments = ["python3", Self.script, "--arbor", MCPServerProcess.arborBinary, "--workflows", MCPServerProcess.workflows,
                            "--db", folder.appendingPathComponent("runs.sqlite").path] + arguments
        client.currentDirectoryURL = MCPServerProcess.packageRoot
        var environment = ProcessInfo.processInfo.environment
        environment["ARBOR_MODEL"] = MCPServerProcess.modelPath
        client.environment = environment
        client.standardOutput = try FileHandle(forWritingTo: outURL)
        client.standardError = try FileHandle(forWritingTo: errURL)
        try client.run()
        client.waitUntilExit()
        let stdout = try String(contentsOf: outURL, encoding: .utf8), stderr = try String(contentsOf: errURL, encoding: .utf8)
        XCTAssertEqual(client.terminationStatus, 0, stderr)
        let seen = try XCTUnwrap(try? JSONValue(parsing: stdout.trimmingCharacters(in: .whitespacesAndNewlines)), stdout + stderr)
        XCTAssertEqual(seen["transport"]?.stringValue, transport)
        XCTAssertEqual(seen["tools"]?.arrayValue?.count, 8)
        XCTAssertNotNil(seen["answer"]?["answer"], stdout)
        XCTAssertTrue(seen["cancelled_run"]?.stringValue?.hasPrefix("r-") ?? false, stdout)
    }
}
