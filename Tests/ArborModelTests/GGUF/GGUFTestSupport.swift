import Foundation
import XCTest
@testable import ArborModel

/// Shared helpers for GGUF and tokenizer tests: model paths and small synthetic files.
enum GGUFTestSupport {
    /// The package root, three levels above this file (Tests/ArborModelTests/GGUF/).
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Shared, lazily opened models so that many tests do not re-parse the vocabulary.
    nonisolated(unsafe) private static var openedFiles: [String: GGUFFile] = [:]
    private static let lock = NSLock()

    static func open(_ path: String) throws -> GGUFFile {
        lock.lock()
        defer { lock.unlock() }
        if let file = openedFiles[path] { return file }
        let file = try GGUFFile(path: path)
        openedFiles[path] = file
        return file
    }

    /// A small valid GGUF image with every metadata value type and a few tensors.
    static func sampleImage(alignment: UInt32? = nil) throws -> [UInt8] {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        if let alignment { writer.set("general.alignment", .uint32(alignment)) }
        writer.set("test.u8", .uint8(200))
        writer.set("test.i8", .int8(-5))
        writer.set("test.u16", .uint16(60000))
        writer.set("test.i16", .int16(-300))
        writer.set("test.u32", .uint32(4_000_000_000))
        writer.set("test.i32", .int32(-7))
        writer.set("test.u64", .uint64(1 << 40))
        writer.set("test.i64", .int64(-(1 << 40)))
        writer.set("test.f32", .float32(1.5))
        writer.set("test.f64", .float64(-2.25))
        writer.set("test.bool", .bool(true))
        writer.set("test.strings", .array(.string(["a", "", "héllo"])))
        writer.set("test.ints", .array(.int32([1, -2, 3])))
        writer.set("test.nested", .array(.array([.uint8([1, 2]), .string(["x"]), .array([])])))
        var rng = GGUFTestRandom(seed: 7)
        try writer.addTensor(name: "a.f32", dimensions: [3, 2], floats: (0..<6).map { Float($0) })
        try writer.addTensor(name: "b.q4_1", type: .q4_1, dimensions: [32, 2], bytes: randomBytes(40, &rng))
        try writer.addTensor(name: "c.q8_0", type: .q8_0, dimensions: [64], bytes: randomBytes(68, &rng))
        return writer.bytes()
    }

    static func randomBytes(_ count: Int, _ rng: inout GGUFTestRandom) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }
}

/// SplitMix64: a small seeded generator so fuzz and random-weight tests are reproducible.
struct GGUFTestRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
