/// Why a GGUF file could not be opened, parsed, queried or written.
///
/// Parse errors name the field being read and the byte offset where it starts, so a corrupt
/// or truncated download can be told apart from an unsupported model.
public enum GGUFError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or mapped.
    case unreadable(path: String, reason: String)
    /// The first four bytes are not `GGUF`.
    case badMagic(found: UInt32)
    /// A GGUF version other than 2 or 3.
    case unsupportedVersion(UInt32)
    /// Reading `field` at `offset` needs `needed` bytes but the file ends first.
    case truncated(field: String, offset: Int, needed: Int)
    /// A count or length at `offset` cannot fit in the rest of the file.
    case absurdCount(field: String, offset: Int, count: UInt64)
    /// A metadata value type code that GGUF does not define.
    case unknownValueType(field: String, offset: Int, code: UInt32)
    /// Arrays nested deeper than the reader allows.
    case nestingTooDeep(field: String, offset: Int)
    /// A bool stored as a byte other than 0 or 1.
    case invalidBool(field: String, offset: Int, byte: UInt8)
    /// A string that is not valid UTF-8.
    case invalidUTF8(field: String, offset: Int)
    /// The same metadata key or tensor name appears twice.
    case duplicate(name: String, offset: Int)
    /// `general.alignment` is not a positive power of two (or not an integer).
    case invalidAlignment(offset: Int, value: String)
    /// A tensor's ggml type code is unknown or not supported.
    case unknownTensorType(tensor: String, offset: Int, code: UInt32)
    /// A tensor has more than four dimensions or a dimension past `Int64.max`.
    case invalidDimensions(tensor: String, offset: Int, reason: String)
    /// The product of a tensor's dimensions (or its byte size) overflows.
    case dimensionOverflow(tensor: String, offset: Int)
    /// A tensor's first dimension is not a whole number of quantisation blocks.
    case partialBlock(tensor: String, type: GGUFTensorType, rowLength: Int)
    /// A tensor's data offset is not a multiple of the file's alignment.
    case misalignedTensor(tensor: String, dataOffset: UInt64, alignment: Int)
    /// A tensor's bytes run past the end of the file.
    case tensorDataPastEnd(tensor: String, fileOffset: UInt64, byteCount: Int, fileSize: Int)
    /// A metadata key the caller needs is absent.
    case missingKey(String)
    /// A metadata key holds a value of the wrong type (or out of range for the requested one).
    case typeMismatch(key: String, expected: String, found: String)
    /// No tensor of that name.
    case missingTensor(String)
    /// The writer was given a tensor whose byte count does not match its type and dimensions.
    case writerSizeMismatch(tensor: String, expected: Int, given: Int)
    /// The writer could not write the file.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "Cannot open GGUF file \(path): \(reason). Check the path, or run `make setup` to fetch the default model."
        case .badMagic(let found):
            return "Not a GGUF file: the first four bytes are 0x\(String(found, radix: 16)) instead of \"GGUF\". Check that the path points at a .gguf model."
        case .unsupportedVersion(let version):
            return "GGUF version \(version) is not supported (only versions 2 and 3). Re-convert the model with a current llama.cpp."
        case .truncated(let field, let offset, let needed):
            return "GGUF file ends while reading \(field) at byte \(offset) (\(needed) bytes needed); the file is truncated — download it again."
        case .absurdCount(let field, let offset, let count):
            return "GGUF \(field) at byte \(offset) is \(count), more than the rest of the file can hold; the file is corrupt."
        case .unknownValueType(let field, let offset, let code):
            return "GGUF \(field) at byte \(offset) has unknown value type \(code); the file is corrupt or from a newer format."
        case .nestingTooDeep(let field, let offset):
            return "GGUF \(field) at byte \(offset) nests arrays too deeply; the file is corrupt."
        case .invalidBool(let field, let offset, let byte):
            return "GGUF \(field) at byte \(offset) is a bool stored as \(byte) (only 0 and 1 are valid); the file is corrupt."
        case .invalidUTF8(let field, let offset):
            return "GGUF \(field) at byte \(offset) is not valid UTF-8; the file is corrupt."
        case .duplicate(let name, let offset):
            return "GGUF key or tensor \"\(name)\" at byte \(offset) appears twice; the file is corrupt."
        case .invalidAlignment(let offset, let value):
            return "GGUF general.alignment at byte \(offset) is \(value); it must be a positive power of two."
        case .unknownTensorType(let tensor, let offset, let code):
            return "Tensor \"\(tensor)\" (info at byte \(offset)) has ggml type \(code), which Arbor does not support; use a model quantised as F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 or a K-quant."
        case .invalidDimensions(let tensor, let offset, let reason):
            return "Tensor \"\(tensor)\" (info at byte \(offset)) has invalid dimensions: \(reason); the file is corrupt."
        case .dimensionOverflow(let tensor, let offset):
            return "Tensor \"\(tensor)\" (info at byte \(offset)) has dimensions whose product overflows; the file is corrupt."
        case .partialBlock(let tensor, let type, let rowLength):
            return "Tensor \"\(tensor)\" of type \(type) has rows of \(rowLength) elements, not a multiple of the block size \(type.blockSize); the file is corrupt."
        case .misalignedTensor(let tensor, let dataOffset, let alignment):
            return "Tensor \"\(tensor)\" starts at data offset \(dataOffset), not a multiple of the alignment \(alignment); the file is corrupt."
        case .tensorDataPastEnd(let tensor, let fileOffset, let byteCount, let fileSize):
            return "Tensor \"\(tensor)\" needs \(byteCount) bytes at byte \(fileOffset) but the file has only \(fileSize) bytes; the file is truncated — download it again."
        case .missingKey(let key):
            return "The model's GGUF metadata has no key \"\(key)\"; this model is not supported or was converted without it."
        case .typeMismatch(let key, let expected, let found):
            return "GGUF metadata key \"\(key)\" holds \(found) where \(expected) was expected."
        case .missingTensor(let name):
            return "The model has no tensor named \"\(name)\"; the file does not match its declared architecture."
        case .writerSizeMismatch(let tensor, let expected, let given):
            return "GGUFWriter: tensor \"\(tensor)\" needs \(expected) bytes for its type and dimensions but \(given) were given."
        case .writeFailed(let path, let reason):
            return "Cannot write GGUF file \(path): \(reason)."
        }
    }
}
