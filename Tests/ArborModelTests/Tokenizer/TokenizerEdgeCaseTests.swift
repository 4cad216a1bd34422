@testable import ArborModel
import ArborTestSupport
import Foundation
import XCTest

/// Ids against llama.cpp (the build the reference files came from) on 921 texts, each with and
/// without special parsing: hand-picked edge cases (NEL, U+001C, NBSP, ideographic space, line
/// separators, upper-case contractions, glued and partial special tokens, ZWJ emoji, BOM) and
/// random mixes of ASCII, white space, combining marks, scripts, emoji, special-token text and
/// random code points from every plane. Made by Fixtures/tools/gen_edge.py with oracle.cpp.
final class TokenizerEdgeCaseTests: XCTestCase {
    struct EdgeLine: Decodable {
        let text: String
        let parse_special: Bool
        let smollm2: [Int32]
        let qwen2: [Int32]
    }

    static func lines() throws -> [EdgeLine] {
        let path = GGUFTestSupport.packageRoot + "/Tests/ArborModelTests/Fixtures/tokenizer-edge-cases.jsonl"
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(EdgeLine.self, from: Data($0.utf8))
        }
    }

    private func check(_ tokenizer: BPETokenizer, _ expected: KeyPath<EdgeLine, [Int32]>) throws {
        let lines = try Self.lines()
        XCTAssertGreaterThan(lines.count, 1000)
        var failures = 0
        for line in lines {
            let ids = tokenizer.encode(line.text, parseSpecial: line.parse_special)
            if ids != line[keyPath: expected] {
                failures += 1
                XCTAssertEqual(ids, line[keyPath: expected],
                               "text \(line.text.unicodeScalars.map { String($0.value, radix: 16) }) special \(line.parse_special)")
                if failures >= 10 { return }
            }
        }
    }

    func testEdgeCaseTextsDecodeBackExactly() throws {
        let lines = try Self.lines()
        for tokenizer in [try TokenizerCache.tokenizer(for: try ModelFiles.defaultModelPath()),
                          try TokenizerCache.tokenizer(for: try ModelFiles.requiredQwenModelPath())] {
            for line in lines {
                let ids = tokenizer.encode(line.text, parseSpecial: line.parse_special)
                XCTAssertEqual(tokenizer.decode(ids, renderSpecial: true), line.text)
            }
        }
    }

    func testSmolLM2MatchesLlamaCppOnEdgeCases() throws {
        try check(try TokenizerCache.tokenizer(for: try ModelFiles.defaultModelPath()), \.smollm2)
    }

    func testQwen2MatchesLlamaCppOnEdgeCases() throws {
        try check(try TokenizerCache.tokenizer(for: try ModelFiles.requiredQwenModelPath()), \.qwen2)
    }
}
