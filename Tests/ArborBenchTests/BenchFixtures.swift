import ArborModel
import Foundation
import XCTest

/// The default model for the benchmarks' tests.
enum BenchFixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var modelPath: String {
        ProcessInfo.processInfo.environment["ARBOR_MODEL"] ?? packageRoot.appendingPathComponent(ModelLocator.defaultModelRelativePath).path
    }

    /// The default model, or a failure telling the user to run `make setup`.
    static func loadModel() throws -> (file: GGUFFile, tokenizer: BPETokenizer, template: ChatTemplate) {
        guard FileManager.default.fileExists(atPath: modelPath) else {
            XCTFail("No model at \(modelPath); run `make setup` to fetch the default model, or set ARBOR_MODEL.")
            throw XCTSkip("model missing")
        }
        let model = try LoadedModel(path: modelPath)
        return (model.file, model.tokenizer, try model.chatTemplate)
    }
}
