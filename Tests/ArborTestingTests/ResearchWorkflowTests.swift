import ArborSchema
import ArborSpec
import ArborTesting
import ArborTools
import Foundation
import XCTest

/// The research workflow over web pages, offline: serve_pages.py serves the shipped corpus on
/// 127.0.0.1, the reference MCP fetch server (a real child process) fetches its pages, and
/// the default model decodes the run; the live case is checked like research-local's.
final class ResearchWorkflowTests: XCTestCase {
    static let packageRoot = ShippedWorkflowTests.packageRoot

    func testResearchWebReadsLocalPagesThroughTheMCPFetchServer() async throws {
        let model = Self.packageRoot + "/models/SmolLM2-135M-Instruct.Q4_1.gguf"
        guard FileManager.default.fileExists(atPath: model) else {
            return XCTFail("The model \(model) is missing; run `make setup` to fetch it.")
        }
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(Self.packageRoot), "the workflow's paths are relative to the checkout")
        guard Self.python(canImport: "mcp_server_fetch") else {
            return XCTFail("python3 cannot import mcp_server_fetch; run `make setup` (scripts/setup.sh installs mcp-server-fetch).")
        }
        let pages = try PageServer(root: "Examples/research-corpus")
        defer { pages.stop() }
        let site = "http://127.0.0.1:\(pages.port)/"
        let workflowPath = "Examples/research-web/research-web.yaml"
        let workflow = try WorkflowLoader.loadValid(path: workflowPath)
        let testCase = TestCase(
            name: "lighthouse-over-mcp", workflowName: workflow.name, workflowPath: workflowPath,
            location: SourceLocation(file: #filePath, line: #line, column: 1),
            inputs: ["question": "How tall is the Carrow Point lighthouse?", "site": .string(site)],
            cassettePath: NSTemporaryDirectory() + "unused-\(UUID().uuidString).json",
            assertions: [
                Assertion(.toolCalled(tool: "fetch", arguments: .exact(["url": .string(site)]), atLeast: 1, atMost: nil)),
                Assertion(.command(argv: ["python3", "Workflows/tools/check_citations.py", "--read-tool", "fetch", "--argument", "url"])),
            ],
            live: true)
        let runner = TestRunner(executor: WorkflowCaseExecutor(modelPath: model, threads: ProcessInfo.processInfo.activeProcessorCount))
        let result = await runner.run(testCase, workflow: workflow)
        let calls = result.execution?.toolCalls ?? []
        print(calls.map { "\($0.tool) \($0.arguments.compactString) → \($0.value.map { String($0.compactString.prefix(160)) } ?? "\($0.result)")" }
            .joined(separator: "\n"))
        print(result.execution?.output.prettyString ?? "no output")
        XCTAssertEqual(result.status, .passed, "\(result.failures) \(result.errors)")
        let contents = try XCTUnwrap(calls.first { $0.arguments["url"] == .string(site) }?.value?.compactString)
        XCTAssertTrue(contents.contains("[Carrow Point Lighthouse](\(site)history/lighthouse.html)"), "the page came through the MCP server: \(contents)")
    }

    private static func python(canImport module: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import \(module)"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}

/// Examples/research-web/serve_pages.py on a free port of 127.0.0.1, until `stop()` closes its stdin.
final class PageServer {
    private let process = Process()
    private let stdin = Pipe()
    let port: Int

    init(root: String) throws {
        let stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "Examples/research-web/serve_pages.py", root]
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        var line = Data()
        while let byte = try stdout.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line.append(byte) }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "serve_pages.py printed no port"])
        }
        self.port = port
    }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }
}
