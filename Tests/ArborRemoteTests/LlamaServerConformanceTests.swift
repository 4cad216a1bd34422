import ArborModel
import ArborRemote
import ArborRuntime
import ArborSchema
import ArborStore
import Foundation
import XCTest

/// The same workflow, greedy, in-process and through llama-server (same GGUF, prompt cache
/// off), and a run whose server dies mid-run, resumed against a restarted server.
final class LlamaServerConformanceTests: XCTestCase {
    func testGreedyTreeAndAnswerEqualInProcessAndThroughLlamaServer() async throws {
        let server = try LlamaServerProcess()
        let model = try LoadedModel(path: try LlamaCppTools.defaultModelPath())
        let backend = RemoteBackend(engine: ServingEngine(kind: .llamaServer, url: server.url), tokenizer: model.tokenizer)
        // Every request computes the whole sequence afresh, as a fresh prefill would.
        backend.cachePrompt = false
        // No repetition penalty: the difference there is inherent. Arbor divides the scores
        // of the tokens *sampled* in the last 64 steps; llama-server penalises the last 64
        // tokens of the whole sequence it is sent (prompt, forced text and tool results
        // included), and math-solver's default 1.1 parts the two trees at the second token.
        let remote = try await LlamaServerRunTests.run(backend: backend, model: model, repetitionPenalty: 1)
        let local = try await LlamaServerRunTests.run(backend: nil, model: model, repetitionPenalty: 1)
        let remoteText = remote.document.compactString, localText = local.document.compactString
        let common = zip(remoteText, localText).prefix { $0 == $1 }.count
        XCTAssertEqual(remoteText, localText, "the trees part after \(common) characters: …\(localText.prefix(common).suffix(60))")
        XCTAssertEqual(remote.output, local.output)
        XCTAssertEqual(remote.toolCalls.map(\.tool), local.toolCalls.map(\.tool))
        print("conformance: \(local.metrics.treeTokens) tree tokens, \(local.toolCalls.count) tool calls, \(local.metrics.prunedTokens) pruned; remote \(backend.usage)")
    }

    func testKillingTheServerMidRunPausesTheRunAndResumeFinishesWithTheSameAnswer() async throws {
        let model = try LoadedModel(path: try LlamaCppTools.defaultModelPath())
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("remote-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try RunStore(path: folder.appendingPathComponent("runs.sqlite").path)
        let retry = ServerConnection.RetryPolicy(attempts: 3, firstDelay: 0.2, timeout: 120)

        let server = try LlamaServerProcess()
        func backend() -> RemoteBackend {
            let backend = RemoteBackend(engine: ServingEngine(kind: .llamaServer, url: server.url), tokenizer: model.tokenizer, retry: retry)
            backend.cachePrompt = false
            return backend
        }
        let reference = try await LlamaServerRunTests.run(backend: backend(), model: model)
        XCTAssertGreaterThan(reference.metrics.treeTokens, 80)

        let record = try LlamaServerRunTests.createRecord(in: store, model: model, engine: backend().engine)
        do {
            _ = try await LlamaServerRunTests.run(backend: backend(), model: model, record: record) { progress in
                if progress.metrics.treeTokens >= 60 { server.kill() }
            }
            XCTFail("the run went on without its server")
        } catch RemoteError.unavailable(let named, let attempts, _) {
            XCTAssertEqual(named, server.url)
            XCTAssertEqual(attempts, 3)
        }
        let paused = try XCTUnwrap(try store.run(id: record.id))
        XCTAssertEqual(paused.status, .paused)
        XCTAssertGreaterThanOrEqual(try store.tokens(runID: record.id).filter { $0.kind != .prompt }.count, 60)

        let restarted = try LlamaServerProcess(port: server.port)
        _ = restarted
        let resumed = try await LlamaServerRunTests.run(backend: backend(), model: model, record: record, resume: true)
        XCTAssertEqual(resumed.output, reference.output)
        XCTAssertEqual(resumed.document, reference.document)
        XCTAssertEqual(try store.run(id: record.id)?.status, .completed)
    }
}
