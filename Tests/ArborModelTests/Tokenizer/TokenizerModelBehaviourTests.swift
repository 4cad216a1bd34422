@testable import ArborModel
import ArborTestSupport
import XCTest

/// Behaviour of the real models' tokenizers beyond the reference lines.
final class TokenizerModelBehaviourTests: XCTestCase {
    static let roundTripTexts = [
        "", " ", "\n\n\n", "\t\t x", "Hello, world!", "don't won't it's we're I'LL", "1234567890",
        "café naïve résumé", "e\u{301}cole", "日本語のテキスト", "中文推理树", "emoji 🚀🌲 👍🏽 👨‍👩‍👧 test",
        "Привет, мир", "αβγ", "क्षि", "مرحبا ١٢٣", "   many     spaces   ", "a\u{00A0}b\u{3000}c",
        "<|im_start|>user\nHi<|im_end|>x<|im_end|><|im_start|>", "{\"a\": [1, 2.5, null]}",
        "def f(x):\n\treturn x  # comment\r\n", String(repeating: "z", count: 3000),
    ]

    private func tokenizers() throws -> [(String, BPETokenizer)] {
        [("smollm2", try TokenizerCache.tokenizer(for: try ModelFiles.defaultModelPath())),
         ("qwen2", try TokenizerCache.tokenizer(for: try ModelFiles.requiredQwenModelPath()))]
    }

    func testDecodingEncodedTextGivesTheTextBack() throws {
        for (name, tokenizer) in try tokenizers() {
            for text in Self.roundTripTexts {
                let ids = tokenizer.encode(text, parseSpecial: true)
                XCTAssertEqual(tokenizer.decode(ids, renderSpecial: true), text, "\(name): \(text.debugDescription)")
                let plain = tokenizer.encode(text, parseSpecial: false)
                XCTAssertEqual(tokenizer.decode(plain, renderSpecial: true), text, "\(name): \(text.debugDescription)")
            }
        }
    }

    func testSpecialTokensAreParsedOnlyWhenAsked() throws {
        let smol = try TokenizerCache.tokenizer(for: try ModelFiles.defaultModelPath())
        XCTAssertEqual(smol.encode("<|im_start|>", parseSpecial: true), [1])
        let plain = smol.encode("<|im_start|>", parseSpecial: false)
        XCTAssertGreaterThan(plain.count, 1)
        XCTAssertFalse(plain.contains(1))
        // Glued to text on both sides.
        XCTAssertEqual(smol.encode("x<|im_end|>y", parseSpecial: true), smol.encode("x") + [2] + smol.encode("y"))
    }

    func testSpecialIdsAndEndOfGenerationSets() throws {
        let smol = try TokenizerCache.tokenizer(for: try ModelFiles.defaultModelPath())
        XCTAssertEqual(smol.vocabularySize, 49152)
        XCTAssertEqual(smol.bosID, 1)
        XCTAssertEqual(smol.eosID, 2)
        XCTAssertEqual(smol.eotID, 2)
        XCTAssertFalse(smol.addBOS)
        XCTAssertEqual(smol.endOfGenerationIDs, [0, 2])
        let qwen = try TokenizerCache.tokenizer(for: try ModelFiles.requiredQwenModelPath())
        XCTAssertEqual(qwen.vocabularySize, 151936)
        XCTAssertEqual(qwen.eosID, 151645)
        XCTAssertEqual(qwen.eotID, 151645)
        XCTAssertEqual(qwen.endOfGenerationIDs, [151643, 151645])
        XCTAssertEqual(qwen.tokenType(151657), .userDefined)  // <tool_call>
        XCTAssertEqual(qwen.tokenBytes(151665), [])           // an unused padding entry
    }

    func testStreamingDecoderHoldsSplitCharactersUntilComplete() throws {
        let smol = try TokenizerCache.tokenizer(for: try ModelFiles.defaultModelPath())
        let text = "go 🚀 日本"
        let ids = smol.encode(text)
        var stream = StreamingDecoder(tokenizer: smol)
        var pieces = [String]()
        for id in ids { pieces.append(stream.push(id)) }
        pieces.append(stream.finish())
        XCTAssertEqual(pieces.joined(), text)
        XCTAssertFalse(pieces.contains { $0.contains("\u{FFFD}") })
        XCTAssertTrue(pieces.contains(""), "the rocket's bytes span several tokens, so some pushes return nothing")
    }

    func testInvalidUTF8DecodesToReplacementCharacters() throws {
        let smol = try TokenizerCache.tokenizer(for: try ModelFiles.defaultModelPath())
        // The byte token for a lone continuation byte 0x80.
        let lone = try XCTUnwrap(smol.id(forTokenText: String(ByteLevelEncoding.scalar(for: 0x80))))
        XCTAssertEqual(smol.decode([lone]), "\u{FFFD}")
        var stream = StreamingDecoder(tokenizer: smol)
        XCTAssertEqual(stream.push(lone), "\u{FFFD}", "a byte that can never complete is not held back")
        // A lead byte of a 4-byte sequence is held, then flushed as U+FFFD by finish().
        XCTAssertEqual(stream.push(bytes: [0xF0, 0x9F]), "")
        XCTAssertEqual(stream.pendingBytes, [0xF0, 0x9F])
        XCTAssertEqual(stream.push(bytes: [0x41]), "\u{FFFD}A")
        XCTAssertEqual(stream.push(bytes: [0xE2, 0x82]), "")
        XCTAssertEqual(stream.finish(), "\u{FFFD}")
    }

    func testIncompleteSuffixRulesFollowUTF8() {
        XCTAssertEqual(StreamingDecoder.incompleteSuffixLength([0x41, 0xE2, 0x82]), 2)
        XCTAssertEqual(StreamingDecoder.incompleteSuffixLength([0xE2, 0x82, 0xAC]), 0)
        XCTAssertEqual(StreamingDecoder.incompleteSuffixLength([0xE0, 0x80]), 0, "overlong prefix never completes")
        XCTAssertEqual(StreamingDecoder.incompleteSuffixLength([0xED, 0xA0]), 0, "surrogate prefix never completes")
        XCTAssertEqual(StreamingDecoder.incompleteSuffixLength([0xF4, 0x8F, 0xBF]), 3)
        XCTAssertEqual(StreamingDecoder.incompleteSuffixLength([0xC0]), 0)
        XCTAssertEqual(StreamingDecoder.incompleteSuffixLength([]), 0)
    }

    func testEveryTokenHasBytesConsistentWithItsText() throws {
        for (name, tokenizer) in try tokenizers() {
            for id in 0..<Int32(tokenizer.vocabularySize) where tokenizer.tokenType(id) == .normal {
                let bytes = tokenizer.tokenBytes(id)
                XCTAssertFalse(bytes.isEmpty, "\(name) token \(id)")
                XCTAssertEqual(ByteLevelEncoding.encode(bytes), tokenizer.tokens[Int(id)], "\(name) token \(id)")
            }
        }
    }
}
