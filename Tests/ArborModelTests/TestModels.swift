import ArborModel
import Foundation
import XCTest

/// The reference fixtures and the greedy loop the engine tests use (the models themselves:
/// ``ModelFiles``).
enum TestModels {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

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
