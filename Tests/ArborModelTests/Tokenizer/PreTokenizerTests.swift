import Foundation
import XCTest
@testable import ArborModel

final class PreTokenizerTests: XCTestCase {
    struct PiecesLine: Decodable {
        let text: String
        let qwen2: [String]
        let smollm: [String]
    }

    /// Pieces from the Python `regex` module running llama.cpp's patterns (see
    /// Fixtures/make-pretokenizer-pieces.py): 1,525 hand-picked and random texts mixing ASCII,
    /// contractions, digits, white space of every kind, combining marks, CJK, emoji and ZWJ.
    func testSplitsEqualTheRegexSplitsOnGeneratedTexts() throws {
        let path = GGUFTestSupport.packageRoot + "/Tests/ArborModelTests/Fixtures/pretokenizer-pieces.jsonl"
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        XCTAssertGreaterThan(lines.count, 1000)
        var mismatches = 0
        for raw in lines {
            let line = try JSONDecoder().decode(PiecesLine.self, from: Data(raw.utf8))
            let qwen2 = PreTokenizer.qwen2.pieces(of: line.text)
            let smollm = PreTokenizer.gpt2SingleDigits.pieces(of: line.text)
            if qwen2 != line.qwen2 || smollm != line.smollm { mismatches += 1 }
            XCTAssertEqual(qwen2, line.qwen2, "qwen2: \(line.text.debugDescription)")
            XCTAssertEqual(smollm, line.smollm, "smollm: \(line.text.debugDescription)")
            if mismatches > 10 { break }
        }
    }

    func testQwen2KeepsNewlinesWithPunctuationAndSplitsDigits() {
        XCTAssertEqual(PreTokenizer.qwen2.pieces(of: "x = 123;\n\ny"), ["x", " =", " ", "1", "2", "3", ";\n\n", "y"])
        XCTAssertEqual(PreTokenizer.qwen2.pieces(of: "DON'T"), ["DON", "'T"])
        XCTAssertEqual(PreTokenizer.qwen2.pieces(of: "\tword(arg)"), ["\tword", "(arg", ")"])
    }

    func testGPT2RuleKeepsDigitRunsWhileSmolLMSplitsThem() {
        XCTAssertEqual(PreTokenizer.gpt2.pieces(of: "year 2024!"), ["year", " 2024", "!"])
        XCTAssertEqual(PreTokenizer.gpt2SingleDigits.pieces(of: "year 2024!"), ["year", " ", "2", "0", "2", "4", "!"])
        XCTAssertEqual(PreTokenizer.gpt2.pieces(of: "it's   ok"), ["it", "'s", "  ", " ok"])
    }

    func testGGUFNamesMapToRules() {
        XCTAssertEqual(PreTokenizer(ggufName: "smollm"), .gpt2SingleDigits)
        XCTAssertEqual(PreTokenizer(ggufName: "qwen2"), .qwen2)
        XCTAssertEqual(PreTokenizer(ggufName: "gpt-2"), .gpt2)
        XCTAssertNil(PreTokenizer(ggufName: "llama-bpe"))
    }
}
