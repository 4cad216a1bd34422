import ArborModel
import ArborRemote
import ArborRuntime
import ArborSchema
import ArborStore
import ArborTestSupport
import Foundation
import XCTest

/// The same workflow, greedy, in-process and through llama-server (same GGUF, prompt cache
/// off), and a run whose server dies mid-run, resumed against a restarted server.
final class LlamaServerConformanceTests: XCTestCase {
    /// Equal trees and answers, token for token. llama.cpp computes a batch of tokens (the
    /// prompt, forced text, a tool result) with other kernels than a single token — its CPU
    /// flash attention takes a tiled path for many query rows, and without flash attention its
    /// matrix products go through llamafile's tinyBLAS from two rows up — which sum in another
    /// order. Arbor's kernels give every token the one-token path's numbers (its prefill is
    /// batch-invariant). Measured through the server's API on a math-solver prefix: the
    /// log-probability of `1` is -2.1490 when the prefix is sent token by token, -2.0922 in one
    /// batch (and `2` overtakes it), -2.0164 in one batch without flash attention; with
    /// `-ub 1` (micro-batches of one token) the batch gives -2.1490 again, bit for bit. So
    /// the server runs with `-ub 1`, and its prompt cache on (the cached tokens were computed
    /// one at a time too).
    func testGreedyTreeAndAnswerEqualInProcessAndThroughLlamaServer() async throws {
        let server = try LlamaServerProcess(extraArguments: LlamaServerProcess.oneTokenBatches)
        let model = try LoadedModel(path: try ModelFiles.defaultModelPath())
        let backend = RemoteBackend(engine: ServingEngine(kind: .llamaServer, url: server.url), tokenizer: model.tokenizer)
        // No repetition penalty: the difference there is inherent — Arbor divides the scores
        // of the tokens *sampled* in the last 64 steps, llama-server those of the last 64
        // tokens of the whole sequence it is sent.
        let store = try RunStore()
        let remoteRecord = try LlamaServerRunTests.createRecord(in: store, model: model, engine: backend.engine)
        let localRecord = try LlamaServerRunTests.createRecord(in: store, model: model, engine: nil)
        let remote = try await LlamaServerRunTests.run(backend: backend, model: model, record: remoteRecord, repetitionPenalty: 1)
        let local = try await LlamaServerRunTests.run(backend: nil, model: model, record: localRecord, repetitionPenalty: 1)
        print("conformance: \(local.metrics.treeTokens) tree tokens in-process, \(local.metrics.prunedTokens) pruned; remote \(backend.usage.summaryLine)")
        let remoteTokens = try store.tokens(runID: remoteRecord.id), localTokens = try store.tokens(runID: localRecord.id)
        if let parting = remoteTokens.indices.first(where: { $0 < localTokens.count && remoteTokens[$0].tokenID != localTokens[$0].tokenID }) {
            let text = String(decoding: localTokens[..<parting].suffix(12).flatMap { model.tokenizer.tokenBytes($0.tokenID) }, as: UTF8.self)
            XCTFail("the trees part at token \(parting) (\(localTokens[parting].kind)) after …\(text.debugDescription)")
        }
        XCTAssertEqual(remote.document, local.document)
        XCTAssertEqual(remote.output, local.output)
        XCTAssertEqual(remote.toolCalls.map(\.arguments), local.toolCalls.map(\.arguments))
    }

    func testKillingTheServerMidRunPausesTheRunAndResumeFinishesWithTheSameAnswer() async throws {
        let model = try LoadedModel(path: try ModelFiles.defaultModelPath())
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
