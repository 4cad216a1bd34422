@testable import ArborModel
import ArborTestSupport
import XCTest

/// Metadata dump of the real default model, against the facts in shared/reference/README.md.
final class GGUFDefaultModelTests: XCTestCase {
    func testDefaultModelMetadataAndTensorTypes() throws {
        let file = try GGUFTestSupport.open(try ModelFiles.defaultModelPath())
        XCTAssertEqual(file.version, 3)
        XCTAssertEqual(try file.string("general.architecture"), "llama")
        XCTAssertEqual(try file.uint32("llama.block_count"), 30)
        XCTAssertEqual(try file.uint32("llama.embedding_length"), 576)
        XCTAssertEqual(try file.uint32("llama.attention.head_count"), 9)
        XCTAssertEqual(try file.uint32("llama.attention.head_count_kv"), 3)
        XCTAssertEqual(try file.float32("llama.rope.freq_base"), 100_000)
        XCTAssertEqual(try file.string("tokenizer.ggml.model"), "gpt2")
        XCTAssertEqual(try file.string("tokenizer.ggml.pre"), "smollm")
        XCTAssertEqual(try file.stringArray("tokenizer.ggml.tokens").count, 49152)

        var typeCounts: [GGUFTensorType: Int] = [:]
        for tensor in file.tensors { typeCounts[tensor.type, default: 0] += 1 }
        XCTAssertEqual(typeCounts, [.q4_1: 210, .f32: 61, .q8_0: 1])
        let embedding = try file.tensor(named: "token_embd.weight")
        XCTAssertEqual(embedding.type, .q8_0)
        XCTAssertEqual(embedding.dimensions, [576, 49152])
        XCTAssertFalse(file.hasTensor(named: "output.weight"))
        let last = file.tensors.max { $0.dataOffset < $1.dataOffset }!
        XCTAssertEqual(file.dataStart + Int(last.dataOffset) + last.byteCount, file.fileSize)
    }

    func testQwen2ModelMetadataAndKQuantTensorLayouts() throws {
        let file = try GGUFTestSupport.open(try ModelFiles.requiredQwenModelPath())
        XCTAssertEqual(try file.string("general.architecture"), "qwen2")
        XCTAssertEqual(try file.uint32("qwen2.block_count"), 24)
        XCTAssertEqual(try file.uint32("qwen2.attention.head_count"), 14)
        XCTAssertEqual(try file.uint32("qwen2.attention.head_count_kv"), 2)
        XCTAssertEqual(try file.float32("qwen2.rope.freq_base"), 1_000_000)
        XCTAssertEqual(try file.string("tokenizer.ggml.pre"), "qwen2")
        var typeCounts: [GGUFTensorType: Int] = [:]
        for tensor in file.tensors { typeCounts[tensor.type, default: 0] += 1 }
        XCTAssertEqual(typeCounts, [.q5_0: 133, .q8_0: 13, .q4_K: 12, .q6_K: 12, .f32: 121])
        XCTAssertEqual(file.tensorInfo(named: "token_embd.weight")?.type, .q5_0)
        XCTAssertEqual(file.tensorInfo(named: "output.weight")?.type, .q8_0)
        // Tensors are packed back to back (up to alignment): the K-quant byte sizes are right.
        let sorted = file.tensors.sorted { $0.dataOffset < $1.dataOffset }
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            let end = Int(a.dataOffset) + a.byteCount
            XCTAssertEqual(Int(b.dataOffset), (end + file.alignment - 1) / file.alignment * file.alignment, a.name)
        }
        XCTAssertEqual(file.dataStart + Int(sorted.last!.dataOffset) + sorted.last!.byteCount, file.fileSize)
    }
}
