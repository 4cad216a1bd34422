import ArborModel
import ArborRecording
import ArborRemote
import ArborRuntime
import ArborSchema
import ArborSpec
import ArborStore
import ArborTestSupport
import Foundation
import XCTest

/// Whole workflow runs through a real llama-server on 127.0.0.1 serving the default GGUF.
final class LlamaServerRunTests: XCTestCase {
    static let inputs: JSONObject = ["problem": "A train travels at 80 km/h for 2.5 hours. How far does it go?"]
    /// Tokens a round may write: SmolLM2-135M tends to write one thought until the workflow's
    /// 2,048-token limit; a shorter limit keeps the test quick and exercises the closing text
    /// the token limit forces, which the server must follow too.
    static let maxTokens = 320

    static func mathSolver() throws -> (workflow: Workflow, specText: String) {
        let path = LlamaCppTools.packageRoot.appendingPathComponent("Workflows/math-solver.yaml").path
        return (try WorkflowLoader.loadValid(path: path), try String(contentsOfFile: path, encoding: .utf8))
    }

    /// A new recorded run of math-solver (its options name `engine`).
    static func createRecord(in store: RunStore, model: LoadedModel, engine: ServingEngine?) throws -> RecordedRun {
        let (workflow, specText) = try mathSolver()
        var options = RunOptions(workflow: workflow)
        options.maxTokens = maxTokens
        options.servingEngine = engine
        return try RecordedRun.create(in: store, workflow: workflow, specText: specText, inputs: inputs, modelPath: model.path,
                                      options: options)
    }

    /// Runs math-solver through `backend` (nil: in-process), recorded in `record` when given,
    /// resuming what it holds when `resume` is true.
    static func run(backend: RemoteBackend?, model: LoadedModel, record: RecordedRun? = nil, resume: Bool = false,
                    repetitionPenalty: Float? = nil, onProgress: ((RunProgress) -> Void)? = nil) async throws -> RunReport {
        let (workflow, _) = try mathSolver()
        var options = RunOptions(workflow: workflow)
        options.maxTokens = maxTokens
        if let repetitionPenalty { options.sampling.repetitionPenalty = repetitionPenalty }
        options.servingEngine = backend?.engine
        let progress = resume ? try record?.resume(sameModel: true) : nil
        var execution = WorkflowExecution(workflow: workflow, model: model, options: options, record: record)
        execution.backend = backend
        execution.onProgress = onProgress
        return try await execution.run(inputs: inputs, resuming: progress)
    }

    func testMathSolverRunsThroughLlamaServerAndIsRecorded() async throws {
        let server = try LlamaServerProcess()
        let model = try LoadedModel(path: try ModelFiles.defaultModelPath())
        let backend = RemoteBackend(engine: ServingEngine(kind: .llamaServer, url: server.url), tokenizer: model.tokenizer)
        try backend.checkTokenizer()
        let store = try RunStore()
        let record = try Self.createRecord(in: store, model: model, engine: backend.engine)
        let report = try await Self.run(backend: backend, model: model, record: record)
        let runID: String? = record.id
        let run = try XCTUnwrap(try store.run(id: record.id))
        XCTAssertEqual(run.status, .completed)
        // The answer was validated against the output schema by the run; it is recorded too.
        XCTAssertNotNil(report.output.objectValue?["answer"]?.doubleValue)
        XCTAssertEqual(try JSONValue(parsing: try XCTUnwrap(run.outputJSON)), report.output)
        XCTAssertEqual(try store.toolCalls(runID: runID!).count, report.toolCalls.count)
        let usage = backend.usage
        XCTAssertGreaterThan(usage.requests, 1)
        XCTAssertGreaterThan(usage.tokensWritten, 20)
        // Every request re-sends the whole sequence; the server computes only what changed.
        XCTAssertGreaterThan(usage.promptTokensCached, usage.promptTokensSent / 2, "\(usage)")
        print("math-solver through llama-server: \(report.metrics.treeTokens) tree tokens, \(report.toolCalls.count) tool calls, \(usage)")
    }

    func testATokenizerThatDiffersIsRefusedNamingTheServer() throws {
        let qwenPath = LlamaCppTools.packageRoot.appendingPathComponent("models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf").path
        guard FileManager.default.fileExists(atPath: qwenPath) else {
            XCTFail("The Qwen2.5 model is missing at \(qwenPath); run `make setup-all`.")
            return
        }
        let server = try LlamaServerProcess()
        // The server runs SmolLM2; the run claims Qwen2.5's tokenizer.
        let qwen = try BPETokenizer(gguf: try GGUFFile(path: qwenPath))
        let backend = RemoteBackend(engine: ServingEngine(kind: .llamaServer, url: server.url), tokenizer: qwen)
        XCTAssertThrowsError(try backend.checkTokenizer()) { error in
            guard case RemoteError.tokenizerDiffers(let named, _, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(named, server.url)
            XCTAssertTrue("\(error)".contains("tokenizer:"), "the message says what to do: \(error)")
        }
    }
}
