/// The result of parsing a GGUF image, before it is wrapped in a `GGUFFile`.
struct GGUFParsedFile {
    var version: UInt32
    var metadata: [String: GGUFValue]
    var metadataKeys: [String]
    var tensors: [GGUFTensorInfo]
    var alignment: Int
    var dataStart: Int
}

/// A bounds-checked little-endian cursor over a GGUF image.
///
/// Every read checks the remaining length first and every count is compared with what the rest
/// of the file could possibly hold before anything is allocated, so corrupt input produces a
/// `GGUFError` and never a trap or a huge allocation.
struct GGUFByteReader {
    static let magic: UInt32 = 0x4655_4747  // "GGUF" read little-endian
    static let defaultAlignment = 32
    static let maxArrayDepth = 8
    static let maxDimensions = 4

    let buffer: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    var remaining: Int { buffer.count - offset }

    mutating func parseFile() throws -> GGUFParsedFile {
        let magic = try read(UInt32.self, field: "magic")
        guard magic == Self.magic else { throw GGUFError.badMagic(found: magic) }
        let version = try read(UInt32.self, field: "version")
        guard version == 2 || version == 3 else { throw GGUFError.unsupportedVersion(version) }

        let tensorCountOffset = offset
        let tensorCount = try read(UInt64.self, field: "tensor count")
        let kvCountOffset = offset
        let kvCount = try read(UInt64.self, field: "metadata count")
        // A tensor info takes at least 24 bytes, a key/value at least 13.
        guard tensorCount <= UInt64(remaining / 24) else {
            throw GGUFError.absurdCount(field: "tensor count", offset: tensorCountOffset, count: tensorCount)
        }
        guard kvCount <= UInt64(remaining / 13) else {
            throw GGUFError.absurdCount(field: "metadata count", offset: kvCountOffset, count: kvCount)
        }

        var metadata = [String: GGUFValue](minimumCapacity: Int(kvCount))
        var keys = [String]()
        keys.reserveCapacity(Int(kvCount))
        var alignment = Self.defaultAlignment
        for index in 0..<Int(kvCount) {
            let keyOffset = offset
            let key = try readString(field: "metadata key #\(index)")
            let typeOffset = offset
            let typeCode = try read(UInt32.self, field: "type of \(key)")
            guard let type = GGUFValueType(rawValue: typeCode) else {
                throw GGUFError.unknownValueType(field: "type of \(key)", offset: typeOffset, code: typeCode)
            }
            let valueOffset = offset
            let value = try readValue(type: type, field: key, depth: 0)
            guard metadata[key] == nil else { throw GGUFError.duplicate(name: key, offset: keyOffset) }
            metadata[key] = value
            keys.append(key)
            if key == "general.alignment" {
                guard let a = value.uint64Value, a > 0, a <= 1 << 30, a & (a - 1) == 0 else {
                    throw GGUFError.invalidAlignment(offset: valueOffset, value: "\(value)")
                }
                alignment = Int(a)
            }
        }

        var tensors = [GGUFTensorInfo]()
        tensors.reserveCapacity(Int(tensorCount))
        var names = Set<String>()
        for index in 0..<Int(tensorCount) {
            let infoOffset = offset
            let name = try readString(field: "tensor #\(index) name")
            let dimsOffset = offset
            let dimensionCount = try read(UInt32.self, field: "dimension count of \(name)")
            guard dimensionCount <= Self.maxDimensions else {
                throw GGUFError.invalidDimensions(
                    tensor: name, offset: dimsOffset, reason: "\(dimensionCount) dimensions (at most 4)")
            }
            var dimensions = [Int]()
            for d in 0..<Int(dimensionCount) {
                let raw = try read(UInt64.self, field: "dimension \(d) of \(name)")
                guard let dimension = Int(exactly: raw), dimension <= Int(Int64.max) else {
                    throw GGUFError.invalidDimensions(tensor: name, offset: dimsOffset, reason: "dimension \(d) is \(raw)")
                }
                dimensions.append(dimension)
            }
            let typeOffset = offset
            let typeCode = try read(UInt32.self, field: "type of \(name)")
            guard let type = GGUFTensorType(rawValue: typeCode) else {
                throw GGUFError.unknownTensorType(tensor: name, offset: typeOffset, code: typeCode)
            }
            let dataOffset = try read(UInt64.self, field: "data offset of \(name)")
            guard let elements = GGUFTensorType.elementCount(dimensions) else {
                throw GGUFError.dimensionOverflow(tensor: name, offset: infoOffset)
            }
            if let rowLength = dimensions.first, rowLength % type.blockSize != 0 {
                throw GGUFError.partialBlock(tensor: name, type: type, rowLength: rowLength)
            }
            guard let bytes = type.byteCount(dimensions: dimensions) else {
                throw GGUFError.dimensionOverflow(tensor: name, offset: infoOffset)
            }
            guard dataOffset % UInt64(alignment) == 0 else {
                throw GGUFError.misalignedTensor(tensor: name, dataOffset: dataOffset, alignment: alignment)
            }
            guard names.insert(name).inserted else { throw GGUFError.duplicate(name: name, offset: infoOffset) }
            tensors.append(GGUFTensorInfo(
                name: name, dimensions: dimensions, type: type, dataOffset: dataOffset,
                elementCount: elements, byteCount: bytes))
        }

        // The data section starts at the next multiple of the alignment.
        let dataStart = (offset + alignment - 1) / alignment * alignment
        for tensor in tensors {
            let start = UInt64(dataStart).addingReportingOverflow(tensor.dataOffset)
            let end = start.partialValue.addingReportingOverflow(UInt64(tensor.byteCount))
            guard !start.overflow, !end.overflow, end.partialValue <= UInt64(buffer.count) else {
                throw GGUFError.tensorDataPastEnd(
                    tensor: tensor.name, fileOffset: start.overflow ? UInt64.max : start.partialValue,
                    byteCount: tensor.byteCount, fileSize: buffer.count)
            }
        }
        return GGUFParsedFile(
            version: version, metadata: metadata, metadataKeys: keys, tensors: tensors,
            alignment: alignment, dataStart: dataStart)
    }

    // MARK: - Primitive reads

    mutating func read<T: FixedWidthInteger>(_: T.Type, field: @autoclosure () -> String) throws -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else {
            throw GGUFError.truncated(field: field(), offset: offset, needed: size)
        }
        let value = T(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += size
        return value
    }

    mutating func readString(field: @autoclosure () -> String) throws -> String {
        let lengthOffset = offset
        let length = try read(UInt64.self, field: "length of \(field())")
        guard length <= UInt64(remaining) else {
            throw GGUFError.absurdCount(field: "length of \(field())", offset: lengthOffset, count: length)
        }
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + Int(length))])
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw GGUFError.invalidUTF8(field: field(), offset: offset)
        }
        offset += Int(length)
        return string
    }

    // MARK: - Values

    mutating func readValue(type: GGUFValueType, field: String, depth: Int) throws -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try read(UInt8.self, field: field))
        case .int8: return .int8(try read(Int8.self, field: field))
        case .uint16: return .uint16(try read(UInt16.self, field: field))
        case .int16: return .int16(try read(Int16.self, field: field))
        case .uint32: return .uint32(try read(UInt32.self, field: field))
        case .int32: return .int32(try read(Int32.self, field: field))
        case .uint64: return .uint64(try read(UInt64.self, field: field))
        case .int64: return .int64(try read(Int64.self, field: field))
        case .float32: return .float32(Float(bitPattern: try read(UInt32.self, field: field)))
        case .float64: return .float64(Double(bitPattern: try read(UInt64.self, field: field)))
        case .bool: return .bool(try readBool(field: field))
        case .string: return .string(try readString(field: field))
        case .array: return .array(try readArray(field: field, depth: depth + 1))
        }
    }

    private mutating func readBool(field: String) throws -> Bool {
        let start = offset
        let byte = try read(UInt8.self, field: field)
        guard byte <= 1 else {
            throw GGUFError.invalidBool(field: field, offset: start, byte: byte)
        }
        return byte == 1
    }

    mutating func readArray(field: String, depth: Int) throws -> GGUFArray {
        let start = offset
        guard depth <= Self.maxArrayDepth else { throw GGUFError.nestingTooDeep(field: field, offset: start) }
        let typeCode = try read(UInt32.self, field: "element type of \(field)")
        guard let elementType = GGUFValueType(rawValue: typeCode) else {
            throw GGUFError.unknownValueType(field: "element type of \(field)", offset: start, code: typeCode)
        }
        let countOffset = offset
        let rawCount = try read(UInt64.self, field: "element count of \(field)")
        guard rawCount <= UInt64(remaining / elementType.minimumEncodedSize) else {
            throw GGUFError.absurdCount(field: "element count of \(field)", offset: countOffset, count: rawCount)
        }
        let count = Int(rawCount)
        switch elementType {
        case .uint8: return .uint8(try readFixed(UInt8.self, count: count, field: field))
        case .int8: return .int8(try readFixed(Int8.self, count: count, field: field))
        case .uint16: return .uint16(try readFixed(UInt16.self, count: count, field: field))
        case .int16: return .int16(try readFixed(Int16.self, count: count, field: field))
        case .uint32: return .uint32(try readFixed(UInt32.self, count: count, field: field))
        case .int32: return .int32(try readFixed(Int32.self, count: count, field: field))
        case .uint64: return .uint64(try readFixed(UInt64.self, count: count, field: field))
        case .int64: return .int64(try readFixed(Int64.self, count: count, field: field))
        case .float32:
            return .float32(try readFixed(UInt32.self, count: count, field: field).map(Float.init(bitPattern:)))
        case .float64:
            return .float64(try readFixed(UInt64.self, count: count, field: field).map(Double.init(bitPattern:)))
        case .bool:
            var values = [Bool]()
            values.reserveCapacity(count)
            for _ in 0..<count { values.append(try readBool(field: field)) }
            return .bool(values)
        case .string:
            var values = [String]()
            values.reserveCapacity(count)
            for i in 0..<count { values.append(try readString(field: "\(field)[\(i)]")) }
            return .string(values)
        case .array:
            var values = [GGUFArray]()
            values.reserveCapacity(count)
            for i in 0..<count { values.append(try readArray(field: "\(field)[\(i)]", depth: depth + 1)) }
            return .array(values)
        }
    }

    private mutating func readFixed<T: FixedWidthInteger>(_: T.Type, count: Int, field: String) throws -> [T] {
        let size = MemoryLayout<T>.size
        guard count <= remaining / size else {
            throw GGUFError.truncated(field: field, offset: offset, needed: count * size)
        }
        let start = offset
        let values = [T](unsafeUninitializedCapacity: count) { out, initialized in
            for i in 0..<count {
                out[i] = T(littleEndian: buffer.loadUnaligned(fromByteOffset: start + i * size, as: T.self))
            }
            initialized = count
        }
        offset += count * size
        return values
    }
}
