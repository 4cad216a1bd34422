import ArborModel
import ArborRecording
import ArborRemote
import ArborRuntime
import ArborSchema
import ArborSpec
import ArborStore
import ArborTestSupport
import ArborTools
import Foundation
import XCTest

/// The shipped workflows besides math-solver (``LlamaServerConformanceTests``), greedy,
/// in-process and through llama-server with one-token micro-batches: the same tokens, the
/// same tree, the same answer. Each run is cut short (`maxTokens`) to keep the test quick;
/// the cut closes the tree the same way on both sides. The in-process run answers its tool
/// calls with the remote run's results (``ToolResultReplay``): long-report's `today` reads the
/// clock, and the two runs call it minutes apart. research-agent is left out: its
/// tools are an MCP server fetched by npx from the network (Brave Search) and a web fetch,
/// which a test here cannot reach; its grammar's residuals are checked in
/// ``ResidualGrammarTests`` like every workflow's.
final class ShippedWorkflowConformanceTests: XCTestCase {
    /// Tokens a run may write: enough for each workflow's answer after the cut.
    static let cases: [(workflow: String, maxTokens: Int, inputs: JSONObject)] = [
        ("extract-invoice", 400, ["invoice_text": "ACME GmbH, Hauptstr. 1, 10115 Berlin — Invoice 2024-0042, 2024-03-01. 3 x Widget at 19.99 EUR, VAT 19 %. Total 71.36 EUR."]),
        ("triage-issue", 200, ["title": "Crash when the config file is empty", "body": "Running `tool --config empty.toml` segfaults.",
                          "repository": "example/tool"]),
        ("long-report", 400, ["topic": "The history of the transistor", "sections": 3]),
        ("research-local", 200, ["question": "How tall is the Carrow Point lighthouse?"]),
    ]

    func testShippedWorkflowsGiveTheSameTreeInProcessAndThroughLlamaServer() async throws {
        let server = try LlamaServerProcess(extraArguments: LlamaServerProcess.oneTokenBatches)
        let model = try LoadedModel(path: try ModelFiles.defaultModelPath())
        for (name, maxTokens, inputs) in Self.cases {
            let path = LlamaCppTools.packageRoot.appendingPathComponent("Workflows/\(name).yaml").path
            let workflow = try WorkflowLoader.loadValid(path: path)
            guard workflow.model.treeSyntax == .json else { continue }
            var options = RunOptions(workflow: workflow)
            options.maxTokens = maxTokens
            options.setTemperature(0)
            options.sampling.repetitionPenalty = 1
            let store = try RunStore()
            func run(_ backend: RemoteBackend?, replaying recorded: [ToolOutcome]) async throws -> (RunReport, [Int32], replayed: Int) {
                var runOptions = options
                runOptions.servingEngine = backend?.engine
                let record = try RecordedRun.create(in: store, workflow: workflow, specText: try String(contentsOfFile: path, encoding: .utf8),
                                                    inputs: inputs, modelPath: model.path, options: runOptions)
                var execution = WorkflowExecution(workflow: workflow, model: model, options: runOptions, record: record)
                execution.backend = backend
                var replay: ToolResultReplay?
                execution.tools = { live in
                    let tools = ToolResultReplay(outcomes: recorded, live: live)
                    replay = tools
                    return tools
                }
                let report = try await execution.run(inputs: inputs)
                return (report, try store.tokens(runID: record.id).map(\.tokenID), await replay?.replayedCount ?? 0)
            }
            let backend = RemoteBackend(engine: ServingEngine(kind: .llamaServer, url: server.url), tokenizer: model.tokenizer)
            // Run from the checkout, where the workflows' command tools and documents are.
            _ = FileManager.default.changeCurrentDirectoryPath(LlamaCppTools.packageRoot.path)
            let (remote, remoteTokens, _) = try await run(backend, replaying: [])
            let (local, localTokens, replayed) = try await run(nil, replaying: remote.toolCalls)
            print("conformance \(name): \(local.metrics.treeTokens) tree tokens, \(local.toolCalls.count) tool calls, \(local.metrics.prunedTokens) pruned; \(backend.usage.summaryLine)")
            if let parting = localTokens.indices.first(where: { $0 < remoteTokens.count && remoteTokens[$0] != localTokens[$0] }) {
                let text = String(decoding: localTokens[..<parting].suffix(24).flatMap { model.tokenizer.tokenBytes($0) }, as: UTF8.self)
                XCTFail("\(name): the trees part at token \(parting) after …\(text.debugDescription)")
            }
            XCTAssertEqual(replayed, remote.toolCalls.count, "\(name): every call of the in-process run was the remote run's")
            XCTAssertEqual(remoteTokens.count, localTokens.count, name)
            XCTAssertEqual(remote.document, local.document, name)
            XCTAssertEqual(remote.output, local.output, name)
        }
    }
}
