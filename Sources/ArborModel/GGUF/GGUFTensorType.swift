/// A ggml tensor element type as stored in a GGUF tensor info.
///
/// Raw values are ggml's `enum ggml_type` numbers, which GGUF writes verbatim. Quantised types
/// store elements in blocks: `blockSize` elements take `typeSize` bytes, and a row's first
/// dimension must be a multiple of `blockSize`. Types whose layout Arbor does not know
/// (the IQ families, for instance) are rejected when a file is opened.
///
/// ```swift
/// GGUFTensorType.q4_1.blockSize   // 32
/// GGUFTensorType.q4_1.typeSize    // 20: an f16 scale, an f16 minimum, 16 bytes of nibbles
/// ```
public enum GGUFTensorType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q5_0 = 6
    case q5_1 = 7
    case q8_0 = 8
    case q8_1 = 9
    case q2_K = 10
    case q3_K = 11
    case q4_K = 12
    case q5_K = 13
    case q6_K = 14
    case q8_K = 15
    case i8 = 24
    case i16 = 25
    case i32 = 26
    case i64 = 27
    case f64 = 28
    case bf16 = 30

    /// Elements per block (1 for plain types; 32 for the legacy quants; 256 for K-quants).
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16, .f64, .i8, .i16, .i32, .i64: return 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1: return 32
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K: return 256
        }
    }

    /// Bytes per block, from ggml's block structs (`block_q4_0` … `block_q8_K`).
    public var typeSize: Int {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        case .f64: return 8
        case .i8: return 1
        case .i16: return 2
        case .i32: return 4
        case .i64: return 8
        case .q4_0: return 2 + 16              // d, 32 nibbles
        case .q4_1: return 2 + 2 + 16          // d, m, 32 nibbles
        case .q5_0: return 2 + 4 + 16          // d, high bits, 32 nibbles
        case .q5_1: return 2 + 2 + 4 + 16      // d, m, high bits, 32 nibbles
        case .q8_0: return 2 + 32              // d, 32 bytes
        case .q8_1: return 2 + 2 + 32          // d, s, 32 bytes
        case .q2_K: return 16 + 64 + 2 + 2     // scales, 2-bit quants, d, dmin
        case .q3_K: return 32 + 64 + 12 + 2    // high bits, 2-bit quants, scales, d
        case .q4_K: return 2 + 2 + 12 + 128    // d, dmin, scales, nibbles
        case .q5_K: return 2 + 2 + 12 + 32 + 128
        case .q6_K: return 128 + 64 + 16 + 2   // low 4 bits, high 2 bits, scales, d
        case .q8_K: return 4 + 256 + 16 * 2    // f32 d, quants, block sums
        }
    }

    /// Whether elements are stored in multi-element quantisation blocks.
    public var isQuantized: Bool { blockSize > 1 }

    /// ggml's name for the type (`Q4_1`, `F32`, …), as tools such as llama.cpp print it.
    public var description: String {
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .bf16: return "BF16"
        case .f64: return "F64"
        case .i8: return "I8"
        case .i16: return "I16"
        case .i32: return "I32"
        case .i64: return "I64"
        case .q4_0: return "Q4_0"
        case .q4_1: return "Q4_1"
        case .q5_0: return "Q5_0"
        case .q5_1: return "Q5_1"
        case .q8_0: return "Q8_0"
        case .q8_1: return "Q8_1"
        case .q2_K: return "Q2_K"
        case .q3_K: return "Q3_K"
        case .q4_K: return "Q4_K"
        case .q5_K: return "Q5_K"
        case .q6_K: return "Q6_K"
        case .q8_K: return "Q8_K"
        }
    }

    /// Bytes taken by a tensor of this type with the given dimensions (innermost first), or
    /// `nil` when the first dimension is not a whole number of blocks or the size overflows.
    public func byteCount(dimensions: [Int]) -> Int? {
        guard let elements = GGUFTensorType.elementCount(dimensions) else { return nil }
        guard let rowLength = dimensions.first else { return typeSize }
        guard rowLength % blockSize == 0 else { return nil }
        let blocks = elements / blockSize
        let (bytes, overflow) = blocks.multipliedReportingOverflow(by: typeSize)
        return overflow ? nil : bytes
    }

    /// The product of the dimensions, or `nil` if one is negative or the product overflows.
    static func elementCount(_ dimensions: [Int]) -> Int? {
        var product = 1
        for dimension in dimensions {
            guard dimension >= 0 else { return nil }
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            product = next
        }
        return product
    }
}
