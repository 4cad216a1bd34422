import ArborSpec
import XCTest

/// `model: {backend:, url:, model:, api_key:, tokenizer:}`: read, and every mistake reported
/// at its file:line:column.
final class ModelServerSpecTests: XCTestCase {
    private func load(_ model: String) -> (Workflow?, [SpecDiagnostic]) {
        WorkflowLoader.load(text: """
            arbor: 1
            name: served
            instructions: Say hi.
            model:
            \(model)
            output:
              answer: str
            """, file: "served.yaml")
    }

    func testAServingEngineIsReadWithItsKeyAsAVariableName() {
        let (workflow, diagnostics) = load("""
              backend: vllm
              url: http://gpu-box:8000
              model: HuggingFaceTB/SmolLM2-135M-Instruct
              api_key: ${VLLM_KEY}
              tokenizer: models/SmolLM2-135M-Instruct.Q4_1.gguf
            """)
        XCTAssertEqual(diagnostics.filter { $0.severity == .error }.map(\.description), [])
        XCTAssertEqual(workflow?.model.server, ModelServer(backend: "vllm", url: "http://gpu-box:8000", model: "HuggingFaceTB/SmolLM2-135M-Instruct",
                                                          apiKeyVariable: "VLLM_KEY", tokenizer: "models/SmolLM2-135M-Instruct.Q4_1.gguf"))
    }

    func testMistakesAreReportedWhereTheyAre() {
        let (_, diagnostics) = load("""
              backend: tgi
              url: gpu-box:8000
              api_key: sk-live-123
              tokenizer: tokenizer.json
            """)
        let errors = diagnostics.filter { $0.severity == .error }
        func error(containing text: String) -> SpecDiagnostic? { errors.first { $0.message.contains(text) } }
        XCTAssertEqual(error(containing: "unknown `model.backend` `tgi`").map { [$0.line, $0.column] }, [5, 12])
        XCTAssertEqual(error(containing: "must be an http:// or https:// URL").map { [$0.line, $0.column] }, [6, 8])
        XCTAssertEqual(error(containing: "never hold the key itself").map { [$0.line, $0.column] }, [7, 12])
        XCTAssertEqual(error(containing: "must name a GGUF file").map { [$0.line, $0.column] }, [8, 14])
        XCTAssertTrue(errors.allSatisfy { $0.file == "served.yaml" })
        XCTAssertFalse(errors.map(\.description).joined().contains("sk-live-123"), "the key is never echoed")
    }

    func testServerSettingsWithoutABackendAreAnError() {
        let (_, diagnostics) = load("""
              url: http://127.0.0.1:8080
            """)
        XCTAssertEqual(diagnostics.filter { $0.severity == .error }.map { [$0.line, $0.column] }, [[5, 8]])
        XCTAssertTrue(diagnostics.contains { $0.message.contains("`model.backend` is missing") })
    }
}
