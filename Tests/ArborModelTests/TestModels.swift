import ArborModel
import Foundation
import XCTest

/// Locates the models and fixtures the engine tests use.
enum TestModels {
    /// The package root, two folders above this file's folder.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The default model (env ARBOR_MODEL, else models/SmolLM2-135M-Instruct.Q4_1.gguf).
    /// Fails the test with what to do when it is missing.
    static func defaultModelPath(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let path = ProcessInfo.processInfo.environment["ARBOR_MODEL"]
            ?? packageRoot.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf").path
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("The default model is missing at \(path); run `make setup` to fetch it.", file: file, line: line)
            throw XCTSkip("model missing")
        }
        return path
    }

    /// The optional Qwen2.5 model (env ARBOR_QWEN_MODEL, else models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf).
    static func qwenModelPath() -> String? {
        let path = ProcessInfo.processInfo.environment["ARBOR_QWEN_MODEL"]
            ?? packageRoot.appendingPathComponent("models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// One line of a llama.cpp greedy reference file.
    struct GreedyCase: Decodable {
        let prompt: String
        let prompt_ids: [Int32]
        let n: Int
        let output_ids: [Int32]
    }

    static func greedyCases(_ name: String) throws -> [GreedyCase] {
        let text = try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(GreedyCase.self, from: Data($0.utf8)) }
    }

    /// Greedy continuation: up to n tokens, stopping after an end-of-generation token.
    static func greedy(_ model: Transformer, prompt: [Int32], n: Int, stop: Set<Int32>, oneByOne: Bool = false) throws -> [Int32] {
        model.reset()
        if oneByOne {
            for (i, t) in prompt.enumerated() { _ = try model.decode(token: t, position: Int32(i)) }
        } else {
            _ = try model.prefill(tokens: prompt, positions: (0..<Int32(prompt.count)).map { $0 })
        }
        var out: [Int32] = []
        var position = Int32(prompt.count)
        while out.count < n {
            let next = Sampler.argmax(model.logits)
            out.append(next)
            if stop.contains(next) { break }
            _ = try model.decode(token: next, position: position)
            position += 1
        }
        return out
    }
}
