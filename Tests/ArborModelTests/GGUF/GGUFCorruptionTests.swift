import XCTest
@testable import ArborModel

/// Corrupt and truncated files must produce a `GGUFError` naming the field and offset.
final class GGUFCorruptionTests: XCTestCase {
    private func image() throws -> [UInt8] { try GGUFTestSupport.sampleImage() }

    private func expectError(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line,
                             _ check: (GGUFError) -> Bool) {
        do {
            _ = try GGUFFile(bytes: bytes)
            XCTFail("corrupt image was accepted", file: file, line: line)
        } catch let error as GGUFError {
            XCTAssertTrue(check(error), "unexpected error: \(error)", file: file, line: line)
        } catch {
            XCTFail("not a GGUFError: \(error)", file: file, line: line)
        }
    }

    private func patch(_ bytes: inout [UInt8], at offset: Int, _ value: some FixedWidthInteger) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (i, b) in raw.enumerated() { bytes[offset + i] = b }
        }
    }

    /// Offset of the first tensor info: after the header and every metadata pair.
    private func firstTensorInfoOffset() -> Int {
        24 + (8 + "general.architecture".utf8.count) + 4 + (8 + "llama".utf8.count)
    }

    func testBadMagicIsRejected() throws {
        var bytes = try image()
        bytes[0] = UInt8(ascii: "X")
        expectError(bytes) { if case .badMagic = $0 { return true }; return false }
    }

    func testUnsupportedVersionsAreRejected() throws {
        for version: UInt32 in [1, 4, 0xFFFF_FFFF] {
            var bytes = try image()
            patch(&bytes, at: 4, version)
            expectError(bytes) { $0 == .unsupportedVersion(version) }
        }
        var bytes = try image()
        patch(&bytes, at: 4, UInt32(2))
        XCTAssertEqual(try GGUFFile(bytes: bytes).version, 2)
    }

    func testEmptyAndHeaderOnlyFilesAreTruncated() {
        expectError([]) { $0 == .truncated(field: "magic", offset: 0, needed: 4) }
        expectError([0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0]) {
            $0 == .truncated(field: "tensor count", offset: 8, needed: 8)
        }
    }

    func testAbsurdCountsAreRejectedBeforeAllocating() throws {
        var bytes = try image()
        patch(&bytes, at: 8, UInt64.max)
        expectError(bytes) { $0 == .absurdCount(field: "tensor count", offset: 8, count: .max) }
        bytes = try image()
        patch(&bytes, at: 16, UInt64(1) << 40)
        expectError(bytes) { $0 == .absurdCount(field: "metadata count", offset: 16, count: 1 << 40) }
    }

    func testStringLengthPastEndOfFileIsRejected() throws {
        var bytes = try image()
        patch(&bytes, at: 24, UInt64(1) << 50)  // length of the first key
        expectError(bytes) { $0 == .absurdCount(field: "length of metadata key #0", offset: 24, count: 1 << 50) }
    }

    func testUnknownValueTypeIsRejected() throws {
        var bytes = try image()
        let typeOffset = 24 + 8 + "general.architecture".utf8.count
        patch(&bytes, at: typeOffset, UInt32(13))
        expectError(bytes) {
            $0 == .unknownValueType(field: "type of general.architecture", offset: typeOffset, code: 13)
        }
    }

    func testTensorInfoCorruptionsAreRejected() throws {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        try writer.addTensor(name: "w", dimensions: [8, 2], floats: [Float](repeating: 1, count: 16))
        let good = writer.bytes()
        let info = firstTensorInfoOffset()
        let dimCountOffset = info + 8 + 1
        let dim0Offset = dimCountOffset + 4
        let typeOffset = dim0Offset + 16
        let dataOffsetOffset = typeOffset + 4

        var bytes = good
        patch(&bytes, at: dimCountOffset, UInt32(5))
        expectError(bytes) { if case .invalidDimensions(tensor: "w", offset: dimCountOffset, _) = $0 { return true }; return false }

        bytes = good
        patch(&bytes, at: typeOffset, UInt32(19))  // IQ1_S: no known layout
        expectError(bytes) { $0 == .unknownTensorType(tensor: "w", offset: typeOffset, code: 19) }

        bytes = good
        patch(&bytes, at: dataOffsetOffset, UInt64(4))
        expectError(bytes) { $0 == .misalignedTensor(tensor: "w", dataOffset: 4, alignment: 32) }

        bytes = good
        patch(&bytes, at: dataOffsetOffset, UInt64(32 * 1000))
        expectError(bytes) { if case .tensorDataPastEnd(tensor: "w", _, 64, _) = $0 { return true }; return false }

        bytes = good
        patch(&bytes, at: dim0Offset, UInt64(1) << 62)
        patch(&bytes, at: dim0Offset + 8, UInt64(1) << 62)
        expectError(bytes) { $0 == .dimensionOverflow(tensor: "w", offset: info) }

        bytes = good
        patch(&bytes, at: typeOffset, GGUFTensorType.q8_0.rawValue)  // row of 8 is not a block of 32
        expectError(bytes) { $0 == .partialBlock(tensor: "w", type: .q8_0, rowLength: 8) }

        bytes = Array(good.dropLast(1))
        expectError(bytes) { if case .tensorDataPastEnd(tensor: "w", _, _, _) = $0 { return true }; return false }
    }

    func testDuplicateKeysAndBadAlignmentAreRejected() throws {
        var writer = GGUFWriter()
        writer.set("general.alignment", .uint32(48))
        expectError(writer.bytes()) { if case .invalidAlignment = $0 { return true }; return false }

        // Rename the second key to equal the first one (both are 4 bytes long).
        writer = GGUFWriter()
        writer.set("aaaa", .uint8(1))
        writer.set("bbbb", .uint8(2))
        var bytes = writer.bytes()
        let secondKey = 24 + 8 + 4 + 4 + 1 + 8
        for i in 0..<4 { bytes[secondKey + i] = UInt8(ascii: "a") }
        expectError(bytes) { $0 == .duplicate(name: "aaaa", offset: secondKey - 8) }
    }

    func testTruncationAtEveryOffsetThrowsOrLoads() throws {
        let bytes = try image()
        let full = try GGUFFile(bytes: bytes)
        // Padding after the last tensor is optional; everything before its end is required.
        let required = full.tensors.map { full.dataStart + Int($0.dataOffset) + $0.byteCount }.max()!
        for length in 0..<bytes.count {
            if length < required {
                XCTAssertThrowsError(try GGUFFile(bytes: Array(bytes[0..<length])), "length \(length)")
            } else {
                XCTAssertNoThrow(try GGUFFile(bytes: Array(bytes[0..<length])), "length \(length)")
            }
        }
    }

    func testRandomByteFlipsThrowOrLoadWithoutTrapping() throws {
        let good = try image()
        var rng = GGUFTestRandom(seed: 0xA4B0)
        var rejected = 0
        var loaded = 0
        for _ in 0..<4000 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let position = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
                case 1: bytes[position] = UInt8.random(in: 0...255, using: &rng)
                default: bytes[position] = [0x00, 0xFF, 0x7F, 0x80].randomElement(using: &rng)!
                }
            }
            if Bool.random(using: &rng) {
                bytes.removeLast(Int.random(in: 0..<bytes.count, using: &rng))
            }
            do {
                let file = try GGUFFile(bytes: bytes)
                // Whatever loads must describe tensors that lie inside the image.
                for tensor in file.tensors {
                    XCTAssertLessThanOrEqual(file.dataStart + Int(tensor.dataOffset) + tensor.byteCount, bytes.count)
                }
                loaded += 1
            } catch is GGUFError {
                rejected += 1
            }
        }
        XCTAssertGreaterThan(rejected, 0)
        XCTAssertGreaterThan(loaded, 0)
    }
}
