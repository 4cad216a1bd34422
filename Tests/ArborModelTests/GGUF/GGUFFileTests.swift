import XCTest
@testable import ArborModel

final class GGUFFileTests: XCTestCase {
    func testWrittenFileReadsBackEveryValueTypeAndTensor() throws {
        let file = try GGUFFile(bytes: try GGUFTestSupport.sampleImage())
        XCTAssertEqual(file.version, 3)
        XCTAssertEqual(file.alignment, 32)
        XCTAssertEqual(file.metadata["test.u8"], .uint8(200))
        XCTAssertEqual(file.metadata["test.i8"], .int8(-5))
        XCTAssertEqual(file.metadata["test.u16"], .uint16(60000))
        XCTAssertEqual(file.metadata["test.i16"], .int16(-300))
        XCTAssertEqual(file.metadata["test.u32"], .uint32(4_000_000_000))
        XCTAssertEqual(file.metadata["test.i32"], .int32(-7))
        XCTAssertEqual(file.metadata["test.u64"], .uint64(1 << 40))
        XCTAssertEqual(file.metadata["test.i64"], .int64(-(1 << 40)))
        XCTAssertEqual(file.metadata["test.f32"], .float32(1.5))
        XCTAssertEqual(file.metadata["test.f64"], .float64(-2.25))
        XCTAssertEqual(file.metadata["test.bool"], .bool(true))
        XCTAssertEqual(try file.stringArray("test.strings"), ["a", "", "héllo"])
        XCTAssertEqual(file.metadata["test.nested"], .array(.array([.uint8([1, 2]), .string(["x"]), .array([])])))
        XCTAssertEqual(file.metadataKeys.first, "general.architecture")
        XCTAssertEqual(file.metadataKeys.count, 15)

        XCTAssertEqual(file.tensors.map(\.name), ["a.f32", "b.q4_1", "c.q8_0"])
        let a = try file.tensor(named: "a.f32")
        XCTAssertEqual(a.dimensions, [3, 2])
        XCTAssertEqual(a.elementCount, 6)
        XCTAssertEqual(a.byteCount, 24)
        XCTAssertEqual((0..<6).map { a.data.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }, [0, 1, 2, 3, 4, 5])
        let b = try file.tensor(named: "b.q4_1")
        XCTAssertEqual(b.type, .q4_1)
        XCTAssertEqual(b.byteCount, 40)
        XCTAssertEqual(b.info.dataOffset, 32)
        XCTAssertEqual(file.tensorInfo(named: "c.q8_0")?.dataOffset, 96)
        XCTAssertEqual(file.dataStart % 32, 0)
        for tensor in file.tensors {
            XCTAssertEqual((file.dataStart + Int(tensor.dataOffset)) % file.alignment, 0)
        }
        XCTAssertThrowsError(try file.tensor(named: "missing")) { error in
            XCTAssertEqual(error as? GGUFError, .missingTensor("missing"))
        }
    }

    func testCustomAlignmentIsHonouredByWriterAndReader() throws {
        let file = try GGUFFile(bytes: try GGUFTestSupport.sampleImage(alignment: 64))
        XCTAssertEqual(file.alignment, 64)
        XCTAssertEqual(file.dataStart % 64, 0)
        XCTAssertEqual(file.tensors.map(\.dataOffset), [0, 64, 128])
    }

    func testFileOnDiskRoundTripsThroughMmap() throws {
        let path = NSTemporaryDirectory() + "arbor-gguf-\(UInt32.random(in: 0...UInt32.max)).gguf"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("qwen2"))
        try writer.addTensor(name: "w", dimensions: [4], floats: [1, 2, 3, 4])
        try writer.write(to: path)
        let file = try GGUFFile(path: path)
        XCTAssertEqual(try file.string("general.architecture"), "qwen2")
        let w = try file.tensor(named: "w")
        XCTAssertEqual(w.data.loadUnaligned(fromByteOffset: 12, as: Float.self), 4)
    }

    func testAccessorsWidenIntegersAndRejectWrongTypes() throws {
        let file = try GGUFFile(bytes: try GGUFTestSupport.sampleImage())
        XCTAssertEqual(try file.uint32("test.u8"), 200)
        XCTAssertEqual(try file.int("test.i32"), -7)
        XCTAssertEqual(try file.uint64("test.u64"), 1 << 40)
        XCTAssertEqual(try file.float32("test.f64"), -2.25)
        XCTAssertEqual(try file.float32("test.u16"), 60000)
        XCTAssertEqual(try file.int32Array("test.ints"), [1, -2, 3])
        XCTAssertEqual(try file.float32Array("test.ints"), [1, -2, 3])
        XCTAssertEqual(try file.uint32("absent", default: 9), 9)
        XCTAssertThrowsError(try file.uint32("test.i32")) { error in
            guard case .typeMismatch(let key, _, _) = error as? GGUFError else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "test.i32")
        }
        XCTAssertThrowsError(try file.integer("test.u64", as: UInt32.self))
        XCTAssertThrowsError(try file.string("test.u8"))
        XCTAssertThrowsError(try file.string("absent")) { error in
            XCTAssertEqual(error as? GGUFError, .missingKey("absent"))
        }
    }

    func testBlockLayoutsMatchGGML() {
        let expected: [GGUFTensorType: (Int, Int)] = [
            .f32: (1, 4), .f16: (1, 2), .bf16: (1, 2), .q4_0: (32, 18), .q4_1: (32, 20),
            .q5_0: (32, 22), .q5_1: (32, 24), .q8_0: (32, 34), .q8_1: (32, 36),
            .q2_K: (256, 84), .q3_K: (256, 110), .q4_K: (256, 144), .q5_K: (256, 176),
            .q6_K: (256, 210), .q8_K: (256, 292),
        ]
        for (type, layout) in expected {
            XCTAssertEqual(type.blockSize, layout.0, "\(type)")
            XCTAssertEqual(type.typeSize, layout.1, "\(type)")
        }
        XCTAssertEqual(GGUFTensorType.q4_1.byteCount(dimensions: [576, 1536]), 576 / 32 * 20 * 1536)
        XCTAssertNil(GGUFTensorType.q4_K.byteCount(dimensions: [100, 2]))
        XCTAssertNil(GGUFTensorType.f32.byteCount(dimensions: [Int.max, 2]))
    }

    func testWriterRejectsTensorBytesOfTheWrongSize() {
        var writer = GGUFWriter()
        XCTAssertThrowsError(try writer.addTensor(name: "t", type: .q8_0, dimensions: [32], bytes: [0, 1])) { error in
            XCTAssertEqual(error as? GGUFError, .writerSizeMismatch(tensor: "t", expected: 34, given: 2))
        }
    }

    func testMissingFileIsAnUnreadableError() {
        XCTAssertThrowsError(try GGUFFile(path: "/nonexistent/model.gguf")) { error in
            guard case .unreadable(let path, _) = error as? GGUFError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/nonexistent/model.gguf")
            XCTAssertTrue("\(error)".contains("make setup"))
        }
    }
}
