import ArborModel
import ArborRemote
import ArborRuntime
import ArborStore
import ArborTestSupport
import Foundation
import XCTest

/// math-solver through a vLLM or SGLang server on a GPU machine, which `make test` does not
/// have: set `ARBOR_VLLM_URL` / `ARBOR_SGLANG_URL` (and `ARBOR_SERVED_MODEL`, the name the
/// server serves) to run it; the README's "Scaling out" gives the exact commands. Without
/// them the tests are skipped, and say so.
final class GPUServerConformanceTests: XCTestCase {
    private func runThrough(_ kind: ServingEngine.Kind, variable: String) async throws {
        guard let url = ProcessInfo.processInfo.environment[variable] else {
            throw XCTSkip("\(variable) is not set: no \(kind.rawValue) server to test against (it needs a GPU)")
        }
        let model = try LoadedModel(path: try ModelFiles.defaultModelPath())
        let engine = ServingEngine(kind: kind, url: url, model: ProcessInfo.processInfo.environment["ARBOR_SERVED_MODEL"])
        let backend = RemoteBackend(engine: engine, tokenizer: model.tokenizer)
        try backend.checkTokenizer()
        let store = try RunStore()
        let record = try LlamaServerRunTests.createRecord(in: store, model: model, engine: engine)
        let remote = try await LlamaServerRunTests.run(backend: backend, model: model, record: record)
        XCTAssertEqual(try store.run(id: record.id)?.status, .completed)
        XCTAssertNotNil(remote.output.objectValue?["answer"]?.doubleValue)
        // A GPU's sums differ from the CPU kernels', so greedy trees may part; say where.
        let local = try await LlamaServerRunTests.run(backend: nil, model: model)
        let same = remote.document == local.document
        print("\(kind.rawValue) at \(url): \(backend.usage.summaryLine); tree \(same ? "equals" : "differs from") the in-process one")
    }

    func testMathSolverThroughVLLM() async throws { try await runThrough(.vllm, variable: "ARBOR_VLLM_URL") }

    func testMathSolverThroughSGLang() async throws { try await runThrough(.sglang, variable: "ARBOR_SGLANG_URL") }
}
