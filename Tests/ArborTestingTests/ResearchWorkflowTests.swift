import ArborSchema
import ArborSpec
import ArborTesting
import ArborTools
import Foundation
import XCTest

/// The research workflow over web pages, offline: serve_pages.py serves the shipped corpus on
/// 127.0.0.1 and the reference MCP fetch server (a real child process) fetches its pages.
final class ResearchWorkflowTests: XCTestCase {
    static let packageRoot = ShippedWorkflowTests.packageRoot

    /// Without the model: the workflow's own tool box starts mcp-server-fetch, which reads the
    /// contents page and a linked page from 127.0.0.1.
    func testResearchWebFetchesLocalPagesThroughTheMCPServer() async throws {
        try requireSetup()
        let pages = try PageServer(root: "Examples/research-corpus")
        defer { pages.stop() }
        let site = "http://127.0.0.1:\(pages.port)/"
        let box = try await ToolBox(workflow: try WorkflowLoader.loadValid(path: "Examples/research-web/research-web.yaml"))
        let contents = await box.call("fetch", arguments: ["url": .string(site)])
        let listing = try XCTUnwrap(contents.value?.compactString, "\(contents.result)")
        XCTAssertTrue(listing.contains("[Carrow Point Lighthouse](\(site)history/lighthouse.html)"), listing)
        let page = await box.call("fetch", arguments: ["url": .string(site + "history/lighthouse.html")])
        let text = try XCTUnwrap(page.value?.compactString, "\(page.result)")
        XCTAssertTrue(text.contains("The tower is 31 metres tall"), "HTML simplified to Markdown by the server: \(text)")
        XCTAssertFalse(text.contains("console.log"), text)
        await box.shutdown()
    }

    /// With the default model: a live run whose tool calls go through the MCP server to the
    /// local site. The small model copies the site's address but then makes up the rest of
    /// the URL, so the pages it asks for do not exist; the case checks the path, not the answer.
    func testResearchWebRunsLiveWithTheDefaultModel() async throws {
        try requireSetup()
        let model = Self.packageRoot + "/models/SmolLM2-135M-Instruct.Q4_1.gguf"
        guard FileManager.default.fileExists(atPath: model) else {
            return XCTFail("The model \(model) is missing; run `make setup` to fetch it.")
        }
        // The site's address is part of the prompt, so its port changes what the model writes
        // (on port 37901 it called no tool at all): the test asks for the workflow's default
        // port, 8000, and only a machine where 8000 is taken runs it on another port.
        let pages = try PageServer(root: "Examples/research-corpus", preferredPort: 8000)
        defer { pages.stop() }
        let site = "http://127.0.0.1:\(pages.port)/"
        let workflowPath = "Examples/research-web/research-web.yaml"
        let workflow = try WorkflowLoader.loadValid(path: workflowPath)
        let testCase = TestCase(
            name: "lighthouse-over-mcp", workflowName: workflow.name, workflowPath: workflowPath,
            location: SourceLocation(file: #filePath, line: #line, column: 1),
            inputs: ["question": "How tall is the Carrow Point lighthouse?", "site": .string(site)],
            cassettePath: NSTemporaryDirectory() + "unused-\(UUID().uuidString).json",
            assertions: [Assertion(.toolCalled(tool: "fetch", arguments: .pattern(["url": .string("http://127\\.0\\.0\\.1:\(pages.port)/.*")]),
                                               atLeast: 1, atMost: nil))],
            live: true)
        let runner = TestRunner(executor: WorkflowCaseExecutor(modelPath: model, threads: ProcessInfo.processInfo.activeProcessorCount))
        let result = await runner.run(testCase, workflow: workflow)
        XCTAssertEqual(result.status, .passed, "\(result.failures) \(result.errors)")
        for call in result.execution?.toolCalls ?? [] {
            // Every call reached the server: a page, or the server's own report of a failed fetch.
            let answered = call.value != nil || call.error?.description.contains("on MCP server 'fetcher' reported an error") == true
            XCTAssertTrue(answered, "\(call.result)")
        }
    }

    private func requireSetup() throws {
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(Self.packageRoot), "the workflow's paths are relative to the checkout")
        guard Self.python(canImport: "mcp_server_fetch") else {
            XCTFail("python3 cannot import mcp_server_fetch; run `make setup` (scripts/setup.sh installs mcp-server-fetch).")
            throw XCTSkip("mcp-server-fetch is missing")
        }
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

/// Examples/research-web/serve_pages.py on 127.0.0.1, until `stop()` closes its stdin: on
/// `preferredPort` when it is free, else on any free port.
final class PageServer {
    private let process: Process
    private let stdin: Pipe
    let port: Int

    init(root: String, preferredPort: Int = 0) throws {
        for candidate in preferredPort == 0 ? [0] : [preferredPort, 0] {
            let process = Process(), stdin = Pipe(), stdout = Pipe()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "Examples/research-web/serve_pages.py", root, "--port", String(candidate), "--until-stdin-closes"]
            process.standardInput = stdin
            process.standardOutput = stdout
            process.standardError = FileHandle.nullDevice
            try process.run()
            var line = Data()
            while let byte = try stdout.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line.append(byte) }
            // A port that is taken ends the script before it prints one.
            guard let port = Int(String(decoding: line, as: UTF8.self)) else {
                process.waitUntilExit()
                continue
            }
            (self.process, self.stdin, self.port) = (process, stdin, port)
            return
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "serve_pages.py printed no port"])
    }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }
}
