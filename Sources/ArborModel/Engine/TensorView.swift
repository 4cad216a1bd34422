import CArborKernels

/// A weight tensor in place — usually a view into the memory-mapped GGUF file, never a copy.
///
/// `shape` is in GGUF order: `shape[0]` is the row length (contiguous), `shape[1]` the row
/// count. `type` is the GGML type number (`ARBOR_TYPE_*`).
public struct TensorView: @unchecked Sendable {
    // @unchecked: the pointer is read-only and owned by the model file that outlives the view.
    public var name: String
    public var type: Int32
    public var shape: [Int]
    public var data: UnsafeRawPointer

    public init(name: String, type: Int32, shape: [Int], data: UnsafeRawPointer) {
        self.name = name
        self.type = type
        self.shape = shape
        self.data = data
    }

    /// Elements per row.
    public var rowLength: Int { shape.first ?? 0 }
    /// Number of rows (the product of the remaining dimensions).
    public var rowCount: Int { shape.dropFirst().reduce(1, *) }
    /// Bytes of one row.
    public var rowBytes: Int { arbor_row_bytes(type, Int64(rowLength)) }
}
