#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds a GGUF file in memory: metadata in insertion order, then tensor infos, then the
/// tensor bytes, each padded to the alignment.
///
/// Tests use it to write tiny models with random weights; the output reads back through
/// `GGUFFile` unchanged. Setting `general.alignment` in the metadata changes the alignment.
///
/// ```swift
/// var writer = GGUFWriter()
/// writer.set("general.architecture", .string("llama"))
/// try writer.addTensor(name: "output_norm.weight", type: .f32, dimensions: [64], bytes: weights)
/// try writer.write(to: "/tmp/tiny.gguf")
/// ```
public struct GGUFWriter: Sendable {
    public struct PendingTensor: Sendable {
        public let name: String
        public let type: GGUFTensorType
        public let dimensions: [Int]
        public let bytes: [UInt8]
    }

    public var version: UInt32 = 3
    public private(set) var metadata: [(key: String, value: GGUFValue)] = []
    public private(set) var tensors: [PendingTensor] = []

    public init() {}

    /// Sets a metadata value, replacing an earlier value of the same key in place.
    public mutating func set(_ key: String, _ value: GGUFValue) {
        if let index = metadata.firstIndex(where: { $0.key == key }) {
            metadata[index].value = value
        } else {
            metadata.append((key, value))
        }
    }

    /// Adds a tensor; `bytes` must be exactly the size its type and dimensions need.
    public mutating func addTensor(name: String, type: GGUFTensorType, dimensions: [Int], bytes: [UInt8]) throws {
        guard let expected = type.byteCount(dimensions: dimensions) else {
            throw GGUFError.partialBlock(tensor: name, type: type, rowLength: dimensions.first ?? 0)
        }
        guard expected == bytes.count else {
            throw GGUFError.writerSizeMismatch(tensor: name, expected: expected, given: bytes.count)
        }
        tensors.append(PendingTensor(name: name, type: type, dimensions: dimensions, bytes: bytes))
    }

    /// Adds an F32 tensor from floats.
    public mutating func addTensor(name: String, dimensions: [Int], floats: [Float]) throws {
        var bytes = [UInt8]()
        bytes.reserveCapacity(floats.count * 4)
        for f in floats { appendInteger(f.bitPattern, to: &bytes) }
        try addTensor(name: name, type: .f32, dimensions: dimensions, bytes: bytes)
    }

    private var alignment: Int {
        if let entry = metadata.first(where: { $0.key == "general.alignment" }),
           let a = entry.value.uint64Value, a > 0, a & (a - 1) == 0 {
            return Int(a)
        }
        return GGUFByteReader.defaultAlignment
    }

    /// The complete file image.
    public func bytes() -> [UInt8] {
        var out = [UInt8]()
        appendInteger(GGUFByteReader.magic, to: &out)
        appendInteger(version, to: &out)
        appendInteger(UInt64(tensors.count), to: &out)
        appendInteger(UInt64(metadata.count), to: &out)
        for (key, value) in metadata {
            appendString(key, to: &out)
            appendInteger(value.valueType.rawValue, to: &out)
            appendValue(value, to: &out)
        }
        let align = alignment
        var dataOffset = 0
        var offsets = [Int]()
        for tensor in tensors {
            appendString(tensor.name, to: &out)
            appendInteger(UInt32(tensor.dimensions.count), to: &out)
            for d in tensor.dimensions { appendInteger(UInt64(d), to: &out) }
            appendInteger(tensor.type.rawValue, to: &out)
            appendInteger(UInt64(dataOffset), to: &out)
            offsets.append(dataOffset)
            dataOffset = (dataOffset + tensor.bytes.count + align - 1) / align * align
        }
        pad(&out, to: align)
        let dataStart = out.count
        for (tensor, offset) in zip(tensors, offsets) {
            out.append(contentsOf: [UInt8](repeating: 0, count: dataStart + offset - out.count))
            out.append(contentsOf: tensor.bytes)
        }
        if !tensors.isEmpty { pad(&out, to: align) }
        return out
    }

    /// Writes the file image to `path`, replacing any file there.
    public func write(to path: String) throws {
        let image = bytes()
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw GGUFError.writeFailed(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var written = 0
        while written < image.count {
            let n = image.withUnsafeBytes { raw in
                systemWrite(fd, raw.baseAddress! + written, image.count - written)
            }
            guard n > 0 else { throw GGUFError.writeFailed(path: path, reason: String(cString: strerror(errno))) }
            written += n
        }
    }

    // MARK: - Encoding

    private func pad(_ out: inout [UInt8], to alignment: Int) {
        let padded = (out.count + alignment - 1) / alignment * alignment
        out.append(contentsOf: [UInt8](repeating: 0, count: padded - out.count))
    }

    private func appendString(_ string: String, to out: inout [UInt8]) {
        let utf8 = Array(string.utf8)
        appendInteger(UInt64(utf8.count), to: &out)
        out.append(contentsOf: utf8)
    }

    private func appendValue(_ value: GGUFValue, to out: inout [UInt8]) {
        switch value {
        case .uint8(let v): appendInteger(v, to: &out)
        case .int8(let v): appendInteger(v, to: &out)
        case .uint16(let v): appendInteger(v, to: &out)
        case .int16(let v): appendInteger(v, to: &out)
        case .uint32(let v): appendInteger(v, to: &out)
        case .int32(let v): appendInteger(v, to: &out)
        case .uint64(let v): appendInteger(v, to: &out)
        case .int64(let v): appendInteger(v, to: &out)
        case .float32(let v): appendInteger(v.bitPattern, to: &out)
        case .float64(let v): appendInteger(v.bitPattern, to: &out)
        case .bool(let v): out.append(v ? 1 : 0)
        case .string(let v): appendString(v, to: &out)
        case .array(let a): appendArray(a, to: &out)
        }
    }

    private func appendArray(_ array: GGUFArray, to out: inout [UInt8]) {
        appendInteger(array.elementType.rawValue, to: &out)
        appendInteger(UInt64(array.count), to: &out)
        switch array {
        case .uint8(let a): out.append(contentsOf: a)
        case .int8(let a): for v in a { appendInteger(v, to: &out) }
        case .uint16(let a): for v in a { appendInteger(v, to: &out) }
        case .int16(let a): for v in a { appendInteger(v, to: &out) }
        case .uint32(let a): for v in a { appendInteger(v, to: &out) }
        case .int32(let a): for v in a { appendInteger(v, to: &out) }
        case .uint64(let a): for v in a { appendInteger(v, to: &out) }
        case .int64(let a): for v in a { appendInteger(v, to: &out) }
        case .float32(let a): for v in a { appendInteger(v.bitPattern, to: &out) }
        case .float64(let a): for v in a { appendInteger(v.bitPattern, to: &out) }
        case .bool(let a): for v in a { out.append(v ? 1 : 0) }
        case .string(let a): for v in a { appendString(v, to: &out) }
        case .array(let a): for v in a { appendArray(v, to: &out) }
        }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#else
private let systemWrite = Darwin.write
#endif

private func appendInteger<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
}
