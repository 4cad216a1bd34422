import XCTest
@testable import ArborModel

/// BPE behaviour on small vocabularies written as GGUF metadata, where every id is known.
final class BPETokenizerTests: XCTestCase {
    /// Byte tokens 0…255 (in the GPT-2 byte mapping), then `extra` tokens.
    private func makeTokenizer(
        extra: [(String, TokenType)], merges: [String], pre: String = "gpt-2"
    ) throws -> BPETokenizer {
        var tokens = (0..<256).map { String(ByteLevelEncoding.scalar(for: UInt8($0))) }
        var types = [Int32](repeating: TokenType.normal.rawValue, count: 256)
        for (text, type) in extra {
            tokens.append(text)
            types.append(type.rawValue)
        }
        var writer = GGUFWriter()
        writer.set("tokenizer.ggml.model", .string("gpt2"))
        writer.set("tokenizer.ggml.pre", .string(pre))
        writer.set("tokenizer.ggml.tokens", .array(.string(tokens)))
        writer.set("tokenizer.ggml.token_type", .array(.int32(types)))
        writer.set("tokenizer.ggml.merges", .array(.string(merges)))
        return try BPETokenizer(gguf: GGUFFile(bytes: writer.bytes()))
    }

    private func byteID(_ character: Character) -> Int32 { Int32(character.asciiValue!) }

    func testMergesApplyInRankOrder() throws {
        let extra: [(String, TokenType)] = [("ab", .normal), ("bc", .normal)]
        let bcFirst = try makeTokenizer(extra: extra, merges: ["b c", "a b"])
        XCTAssertEqual(bcFirst.encode("abc"), [byteID("a"), 257])
        let abFirst = try makeTokenizer(extra: extra, merges: ["a b", "b c"])
        XCTAssertEqual(abFirst.encode("abc"), [256, byteID("c")])
    }

    func testEqualRanksMergeLeftmostFirst() throws {
        let tokenizer = try makeTokenizer(extra: [("aa", .normal)], merges: ["a a"])
        XCTAssertEqual(tokenizer.encode("aaa"), [256, byteID("a")])
        XCTAssertEqual(tokenizer.encode("aaaa"), [256, 256])
    }

    func testMergesChainAcrossSpaceMappedBytes() throws {
        // " the" is byte-mapped to "Ġthe".
        let extra: [(String, TokenType)] = [("Ġt", .normal), ("he", .normal), ("Ġthe", .normal)]
        let tokenizer = try makeTokenizer(extra: extra, merges: ["Ġ t", "h e", "Ġt he"])
        XCTAssertEqual(tokenizer.encode(" the the"), [258, 258])
        XCTAssertEqual(tokenizer.decode([258, 258]), " the the")
    }

    func testMergeResultMissingFromVocabularyFallsBackToByteTokens() throws {
        let tokenizer = try makeTokenizer(extra: [], merges: ["x y"])
        XCTAssertEqual(tokenizer.encode("xy"), [byteID("x"), byteID("y")])
    }

    func testLongestSpecialTokenWinsAndControlTokensNeedParseSpecial() throws {
        let extra: [(String, TokenType)] = [("<|end|>", .control), ("<|end|>\n", .control), ("<tool>", .userDefined)]
        let tokenizer = try makeTokenizer(extra: extra, merges: [])
        XCTAssertEqual(tokenizer.encode("<|end|>\n<|end|>", parseSpecial: true), [257, 256])
        XCTAssertEqual(tokenizer.encode("a<tool>b", parseSpecial: true), [byteID("a"), 258, byteID("b")])
        // Without special parsing, control text is plain text but user-defined tokens still match.
        let plain = tokenizer.encode("<|end|><tool>", parseSpecial: false)
        XCTAssertEqual(plain.last, 258)
        XCTAssertFalse(plain.contains(256))
        XCTAssertEqual(tokenizer.decode(plain), "<|end|><tool>")
    }

    func testControlTokensDecodeOnlyWhenRendered() throws {
        let tokenizer = try makeTokenizer(extra: [("<|end|>", .control)], merges: [])
        let ids = tokenizer.encode("hi<|end|>")
        XCTAssertEqual(ids, [byteID("h"), byteID("i"), 256])
        XCTAssertEqual(tokenizer.decode(ids), "hi")
        XCTAssertEqual(tokenizer.decode(ids, renderSpecial: true), "hi<|end|>")
        XCTAssertEqual(tokenizer.tokenBytes(256), Array("<|end|>".utf8))
        XCTAssertEqual(tokenizer.tokenBytes(Int32(0x20)), [0x20])
        XCTAssertEqual(tokenizer.tokenBytes(999), [])
        XCTAssertTrue(tokenizer.isEndOfGeneration(256), "<|end|> is an end-of-generation marker")
    }

    func testEveryByteRoundTripsThroughByteTokens() throws {
        let tokenizer = try makeTokenizer(extra: [], merges: [])
        for byte in 0..<256 {
            XCTAssertEqual(tokenizer.tokenBytes(Int32(byte)), [UInt8(byte)])
        }
        let text = "naïve 日本 🚀\t\r\n"
        XCTAssertEqual(tokenizer.encode(text).count, text.utf8.count)
        XCTAssertEqual(tokenizer.decode(tokenizer.encode(text)), text)
    }

    func testUnsupportedTokenizerMetadataIsAClearError() throws {
        var writer = GGUFWriter()
        writer.set("tokenizer.ggml.model", .string("llama"))
        XCTAssertThrowsError(try BPETokenizer(gguf: GGUFFile(bytes: writer.bytes()))) { error in
            XCTAssertEqual(error as? TokenizerError, .unsupportedModel("llama"))
        }
        XCTAssertThrowsError(try makeTokenizer(extra: [], merges: [], pre: "tekken")) { error in
            XCTAssertEqual(error as? TokenizerError, .unsupportedPreTokenizer("tekken"))
            XCTAssertTrue("\(error)".contains("qwen2"))
        }
        writer.set("tokenizer.ggml.model", .string("gpt2"))
        writer.set("tokenizer.ggml.pre", .string("qwen2"))
        XCTAssertThrowsError(try BPETokenizer(gguf: GGUFFile(bytes: writer.bytes()))) { error in
            XCTAssertEqual(error as? GGUFError, .missingKey("tokenizer.ggml.tokens"))
        }
    }
}
