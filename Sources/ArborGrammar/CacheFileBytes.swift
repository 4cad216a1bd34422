/// The byte-level pieces of a ``GrammarDiskCache`` file: LEB128 variable-length integers
/// (seven bits a byte, low bits first, the high bit saying another byte follows), zigzag
/// signed integers, and 32-bit little-endian words.
///
/// Small numbers dominate a file (list lengths, gaps between sorted ids, table indices), so
/// most take one byte instead of four.
///
/// ```swift
/// var writer = CacheFileWriter()
/// writer.varint(300)                       // 0xAC 0x02
/// writer.signed(-1)                        // 0x01
/// ```
struct CacheFileWriter {
    private(set) var bytes: [UInt8] = []

    mutating func reserveCapacity(_ count: Int) { bytes.reserveCapacity(count) }

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func varint(_ value: Int) {
        precondition(value >= 0, "a count or index is never negative")
        varint(UInt64(value))
    }

    /// A signed value, zigzag-mapped (0, -1, 1, -2, … → 0, 1, 2, 3, …) so that small
    /// magnitudes of either sign take one byte.
    mutating func signed(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func word(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ raw: [UInt8]) { bytes += raw }
}

/// Reads what ``CacheFileWriter`` wrote, refusing (with nil) anything that runs past the
/// end or does not fit where it is read: a damaged file ends a read, never a crash.
struct CacheFileReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var isAtEnd: Bool { offset == bytes.count }
    var remaining: Int { bytes.count - offset }

    mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            // The tenth byte holds the 64th bit only.
            if shift == 63 && byte > 1 { return nil }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }

    /// A count or index of at most `limit`.
    mutating func count(atMost limit: Int) -> Int? {
        guard let value = varint(), value <= UInt64(max(limit, 0)) else { return nil }
        return Int(value)
    }

    /// A signed value whose magnitude is at most `limit`.
    mutating func signed(magnitudeAtMost limit: Int64) -> Int64? {
        guard let coded = varint() else { return nil }
        let value = Int64(bitPattern: (coded >> 1) ^ (0 &- (coded & 1)))
        return value >= -limit && value <= limit ? value : nil
    }

    mutating func word() -> UInt32? {
        guard remaining >= 4 else { return nil }
        defer { offset += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The next `count` bytes, which the caller reads in place.
    mutating func raw(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, count <= remaining else { return nil }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }
}
