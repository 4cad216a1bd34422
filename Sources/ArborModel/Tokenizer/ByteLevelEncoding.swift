/// GPT-2's reversible byte ↔ Unicode mapping used by byte-level BPE vocabularies.
///
/// Byte-level BPE tokenizes bytes, but its vocabulary is stored as text: each byte is shown as
/// a printable character. Printable Latin-1 bytes (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) stand for
/// themselves; the other 68 bytes map, in order, to U+0100, U+0101, … So a space is `Ġ`
/// (U+0120) and a newline `Ċ` (U+010A).
///
/// ```swift
/// ByteLevelEncoding.scalar(for: 0x20)  // "Ġ"
/// ByteLevelEncoding.byte(for: "Ċ")     // 0x0A
/// ```
public enum ByteLevelEncoding {
    /// `byteToScalar[b]` is the code point that stands for byte `b`.
    public static let byteToScalar: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isSelfRepresenting(byte) {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// Inverse of `byteToScalar`, indexed by code point (all mapped code points are < 324).
    private static let scalarToByte: [Int16] = {
        var table = [Int16](repeating: -1, count: 324)
        for (byte, scalar) in byteToScalar.enumerated() { table[Int(scalar)] = Int16(byte) }
        return table
    }()

    private static func isSelfRepresenting(_ byte: Int) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }

    public static func scalar(for byte: UInt8) -> Unicode.Scalar {
        Unicode.Scalar(byteToScalar[Int(byte)])!
    }

    /// The byte a code point stands for, or `nil` if it is not one of the 256 mapped ones.
    public static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let value = Int(scalar.value)
        guard value < scalarToByte.count, scalarToByte[value] >= 0 else { return nil }
        return UInt8(scalarToByte[value])
    }

    /// Decodes vocabulary text back to bytes; code points outside the mapping keep their UTF-8.
    public static func decode(_ text: String) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if let byte = byte(for: scalar) {
                out.append(byte)
            } else {
                out.append(contentsOf: String(scalar).utf8)
            }
        }
        return out
    }

    /// Encodes bytes as vocabulary text.
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var text = String.UnicodeScalarView()
        for byte in bytes { text.append(scalar(for: byte)) }
        return String(text)
    }
}
