/// One metadata value of a GGUF file.
///
/// GGUF stores thirteen value types; arrays hold elements of a single type (arrays of arrays
/// included), so they are kept as typed Swift arrays in `GGUFArray` rather than as boxed values:
/// a 150k-entry vocabulary stays one `[String]`.
///
/// ```swift
/// if case .string(let arch) = gguf.metadata["general.architecture"] { print(arch) }
/// gguf.metadata["llama.block_count"]?.uint64Value   // widened from whatever integer type
/// ```
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8)
    case int8(Int8)
    case uint16(UInt16)
    case int16(Int16)
    case uint32(UInt32)
    case int32(Int32)
    case uint64(UInt64)
    case int64(Int64)
    case float32(Float)
    case float64(Double)
    case bool(Bool)
    case string(String)
    case array(GGUFArray)

    /// The GGUF type code written before the value.
    public var valueType: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .uint64: return .uint64
        case .int64: return .int64
        case .float32: return .float32
        case .float64: return .float64
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        }
    }

    /// The value as a signed 64-bit integer when it is an integer that fits.
    public var int64Value: Int64? {
        switch self {
        case .uint8(let v): return Int64(v)
        case .int8(let v): return Int64(v)
        case .uint16(let v): return Int64(v)
        case .int16(let v): return Int64(v)
        case .uint32(let v): return Int64(v)
        case .int32(let v): return Int64(v)
        case .uint64(let v): return Int64(exactly: v)
        case .int64(let v): return v
        default: return nil
        }
    }

    /// The value as an unsigned 64-bit integer when it is a non-negative integer.
    public var uint64Value: UInt64? {
        if case .uint64(let v) = self { return v }
        guard let signed = int64Value else { return nil }
        return UInt64(exactly: signed)
    }

    /// The value as a `Double` when it is a float or an integer (exact up to 2^53).
    public var doubleValue: Double? {
        switch self {
        case .float32(let v): return Double(v)
        case .float64(let v): return v
        default:
            if let v = int64Value { return Double(v) }
            if let v = uint64Value { return Double(v) }
            return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let v) = self { return v }
        return nil
    }

    public var stringValue: String? {
        if case .string(let v) = self { return v }
        return nil
    }

    public var arrayValue: GGUFArray? {
        if case .array(let v) = self { return v }
        return nil
    }
}

/// A homogeneous GGUF array, stored as a typed Swift array.
public enum GGUFArray: Sendable, Equatable {
    case uint8([UInt8])
    case int8([Int8])
    case uint16([UInt16])
    case int16([Int16])
    case uint32([UInt32])
    case int32([Int32])
    case uint64([UInt64])
    case int64([Int64])
    case float32([Float])
    case float64([Double])
    case bool([Bool])
    case string([String])
    /// An array of arrays; each inner array carries its own element type.
    case array([GGUFArray])

    public var count: Int {
        switch self {
        case .uint8(let a): return a.count
        case .int8(let a): return a.count
        case .uint16(let a): return a.count
        case .int16(let a): return a.count
        case .uint32(let a): return a.count
        case .int32(let a): return a.count
        case .uint64(let a): return a.count
        case .int64(let a): return a.count
        case .float32(let a): return a.count
        case .float64(let a): return a.count
        case .bool(let a): return a.count
        case .string(let a): return a.count
        case .array(let a): return a.count
        }
    }

    /// The GGUF type code of the elements.
    public var elementType: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .uint64: return .uint64
        case .int64: return .int64
        case .float32: return .float32
        case .float64: return .float64
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        }
    }

    /// Integer elements widened to `Int64`; `nil` for non-integer arrays or a `UInt64` past
    /// `Int64.max`.
    public var int64Values: [Int64]? {
        switch self {
        case .uint8(let a): return a.map { Int64($0) }
        case .int8(let a): return a.map { Int64($0) }
        case .uint16(let a): return a.map { Int64($0) }
        case .int16(let a): return a.map { Int64($0) }
        case .uint32(let a): return a.map { Int64($0) }
        case .int32(let a): return a.map { Int64($0) }
        case .int64(let a): return a
        case .uint64(let a):
            var out = [Int64]()
            out.reserveCapacity(a.count)
            for v in a {
                guard let w = Int64(exactly: v) else { return nil }
                out.append(w)
            }
            return out
        default: return nil
        }
    }

    /// Float elements widened to `Double`; integers converted too.
    public var doubleValues: [Double]? {
        switch self {
        case .float32(let a): return a.map { Double($0) }
        case .float64(let a): return a
        default: return int64Values?.map { Double($0) }
        }
    }

    public var stringValues: [String]? {
        if case .string(let a) = self { return a }
        return nil
    }
}

/// GGUF's metadata value type codes (`enum gguf_type`).
public enum GGUFValueType: UInt32, Sendable, CustomStringConvertible {
    case uint8 = 0
    case int8 = 1
    case uint16 = 2
    case int16 = 3
    case uint32 = 4
    case int32 = 5
    case float32 = 6
    case bool = 7
    case string = 8
    case array = 9
    case uint64 = 10
    case int64 = 11
    case float64 = 12

    /// Bytes of one element for fixed-size types; `nil` for strings and arrays.
    var fixedSize: Int? {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64: return 8
        case .string, .array: return nil
        }
    }

    /// The fewest bytes one element can take in a file, used to reject absurd counts early.
    var minimumEncodedSize: Int {
        fixedSize ?? (self == .string ? 8 : 12)
    }

    public var description: String {
        switch self {
        case .uint8: return "uint8"
        case .int8: return "int8"
        case .uint16: return "uint16"
        case .int16: return "int16"
        case .uint32: return "uint32"
        case .int32: return "int32"
        case .float32: return "float32"
        case .bool: return "bool"
        case .string: return "string"
        case .array: return "array"
        case .uint64: return "uint64"
        case .int64: return "int64"
        case .float64: return "float64"
        }
    }
}
