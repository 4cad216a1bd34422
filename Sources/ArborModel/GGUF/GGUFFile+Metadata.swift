/// Typed metadata accessors.
///
/// Integers widen between GGUF's integer types when the value fits (a `uint64` block count
/// read as `uint32`, an `int32` id read as `int`); floats accept either width and integers.
/// A missing key throws `GGUFError.missingKey`; the `default:` forms return the default instead.
///
/// ```swift
/// let base = try gguf.float32("llama.rope.freq_base", default: 10_000)
/// let tokens = try gguf.stringArray("tokenizer.ggml.tokens")
/// ```
extension GGUFFile {
    /// Whether the metadata holds `key`.
    public func contains(_ key: String) -> Bool { metadata[key] != nil }

    private func value(_ key: String) throws -> GGUFValue {
        guard let value = metadata[key] else { throw GGUFError.missingKey(key) }
        return value
    }

    private static func describe(_ value: GGUFValue) -> String {
        switch value {
        case .array(let array): return "an array of \(array.count) \(array.elementType)"
        case .string(let s): return "the string \"\(s.prefix(40))\""
        default: return "the \(value.valueType) \(value)"
        }
    }

    public func string(_ key: String) throws -> String {
        let v = try value(key)
        guard let s = v.stringValue else {
            throw GGUFError.typeMismatch(key: key, expected: "a string", found: Self.describe(v))
        }
        return s
    }

    public func string(_ key: String, default fallback: String) throws -> String {
        contains(key) ? try string(key) : fallback
    }

    public func bool(_ key: String) throws -> Bool {
        let v = try value(key)
        guard let b = v.boolValue else {
            throw GGUFError.typeMismatch(key: key, expected: "a bool", found: Self.describe(v))
        }
        return b
    }

    public func bool(_ key: String, default fallback: Bool) throws -> Bool {
        contains(key) ? try bool(key) : fallback
    }

    /// An integer value converted to `T` when it fits exactly.
    public func integer<T: FixedWidthInteger>(_ key: String, as _: T.Type = T.self) throws -> T {
        let v = try value(key)
        if let signed = v.int64Value, let result = T(exactly: signed) { return result }
        if let unsigned = v.uint64Value, let result = T(exactly: unsigned) { return result }
        throw GGUFError.typeMismatch(key: key, expected: "an integer that fits \(T.self)", found: Self.describe(v))
    }

    public func uint32(_ key: String) throws -> UInt32 { try integer(key) }
    public func uint32(_ key: String, default fallback: UInt32) throws -> UInt32 {
        contains(key) ? try integer(key) : fallback
    }
    public func uint64(_ key: String) throws -> UInt64 { try integer(key) }
    public func int(_ key: String) throws -> Int { try integer(key) }
    public func int(_ key: String, default fallback: Int) throws -> Int {
        contains(key) ? try integer(key) : fallback
    }

    public func float64(_ key: String) throws -> Double {
        let v = try value(key)
        guard let d = v.doubleValue else {
            throw GGUFError.typeMismatch(key: key, expected: "a number", found: Self.describe(v))
        }
        return d
    }

    public func float32(_ key: String) throws -> Float { Float(try float64(key)) }
    public func float32(_ key: String, default fallback: Float) throws -> Float {
        contains(key) ? try float32(key) : fallback
    }

    public func array(_ key: String) throws -> GGUFArray {
        let v = try value(key)
        guard let a = v.arrayValue else {
            throw GGUFError.typeMismatch(key: key, expected: "an array", found: Self.describe(v))
        }
        return a
    }

    public func stringArray(_ key: String) throws -> [String] {
        let a = try array(key)
        guard let strings = a.stringValues else {
            throw GGUFError.typeMismatch(key: key, expected: "an array of strings", found: Self.describe(.array(a)))
        }
        return strings
    }

    /// An integer array with every element converted to `Int32` (each must fit).
    public func int32Array(_ key: String) throws -> [Int32] {
        let a = try array(key)
        if case .int32(let values) = a { return values }
        guard let wide = a.int64Values else {
            throw GGUFError.typeMismatch(key: key, expected: "an array of integers", found: Self.describe(.array(a)))
        }
        var out = [Int32]()
        out.reserveCapacity(wide.count)
        for w in wide {
            guard let n = Int32(exactly: w) else {
                throw GGUFError.typeMismatch(key: key, expected: "integers that fit Int32", found: "the element \(w)")
            }
            out.append(n)
        }
        return out
    }

    public func float32Array(_ key: String) throws -> [Float] {
        let a = try array(key)
        if case .float32(let values) = a { return values }
        guard let wide = a.doubleValues else {
            throw GGUFError.typeMismatch(key: key, expected: "an array of numbers", found: Self.describe(.array(a)))
        }
        return wide.map { Float($0) }
    }
}
