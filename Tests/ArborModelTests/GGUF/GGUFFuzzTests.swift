import ArborFuzzSupport
@testable import ArborModel
import XCTest

/// The GGUF reader (header, metadata, tensor table) and what is built from the metadata (the
/// model config, the tokenizer) on mutated GGUF images: each gives a file or a `GGUFError`.
final class GGUFFuzzTests: XCTestCase {
    /// A small image with tokenizer metadata, so that the tokenizer's reading is fuzzed too.
    static func tokenizerImage() throws -> [UInt8] {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        writer.set("llama.block_count", .uint32(1))
        writer.set("llama.embedding_length", .uint32(8))
        writer.set("llama.feed_forward_length", .uint32(16))
        writer.set("llama.attention.head_count", .uint32(2))
        writer.set("llama.context_length", .uint32(64))
        writer.set("tokenizer.ggml.model", .string("gpt2"))
        let tokens = ["<|endoftext|>", "a", "b", "ab", "Ġ", "Ġa", "c", "abc", "<|im_start|>"]
        writer.set("tokenizer.ggml.tokens", .array(.string(tokens)))
        writer.set("tokenizer.ggml.token_type", .array(.int32([3, 1, 1, 1, 1, 1, 1, 1, 3])))
        writer.set("tokenizer.ggml.merges", .array(.string(["a b", "Ġ a", "ab c"])))
        writer.set("tokenizer.ggml.bos_token_id", .uint32(0))
        writer.set("tokenizer.ggml.eos_token_id", .uint32(0))
        try writer.addTensor(name: "token_embd.weight", dimensions: [8, 9], floats: (0..<72).map { Float($0) })
        return writer.bytes()
    }

    func testMutatedGGUFImagesGiveAFileOrAGGUFError() throws {
        let seeds = [try GGUFTestSupport.sampleImage(), try GGUFTestSupport.sampleImage(alignment: 64), try Self.tokenizerImage()]
        var dictionary: [[UInt8]] = [Array("GGUF".utf8), [3, 0, 0, 0], [2, 0, 0, 0]]
        for value: UInt64 in [0, 1, 8, 9, 12, 0x7FFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF, 1 << 40] {
            dictionary.append(withUnsafeBytes(of: value.littleEndian) { Array($0) })
            dictionary.append(withUnsafeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian) { Array($0) })
        }
        let mutator = Mutator(seeds: seeds, dictionary: dictionary, maximumLength: 64 << 10)
        let report = FuzzDriver.run("gguf-header", mutator: mutator, iterations: FuzzDriver.iterations("gguf-header", default: 6000)) { input in
            let file: GGUFFile
            do {
                file = try GGUFFile(bytes: input)
            } catch let error as GGUFError {
                return error.description.isEmpty ? .unclear("an empty GGUFError") : .rejected
            } catch {
                return .unclear("not a GGUFError: \(error)")
            }
            // Reading the metadata a model needs must fail cleanly too.
            _ = try? ModelConfig(file: file)
            if let tokenizer = try? BPETokenizer(gguf: file) {
                _ = tokenizer.encode("abc <|im_start|>a", parseSpecial: true)
            }
            return .accepted
        }
        XCTAssertEqual(report.unclearCount, 0, report.unclear.map(\.reason).joined(separator: "\n"))
        XCTAssertGreaterThan(report.accepted, 0)
        XCTAssertGreaterThan(report.rejected, 0)
    }
}
