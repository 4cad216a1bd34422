/// A 128-bit hash that is the same in every process and on every run, unlike Swift's
/// `Hasher`, which is seeded per process: the name of a file that another process reads.
///
/// Two 64-bit lanes, each word mixed in with a multiply and xor-shifts (splitmix64's
/// finaliser); not for adversaries, only to tell compiled grammars apart.
///
/// ```swift
/// var hasher = StableHasher()
/// hasher.combine(bytes: Array("root ::= \"a\"".utf8))
/// print(hasher.hexDigest)  // 32 hex digits
/// ```
struct StableHasher: Sendable {
    private var low: UInt64 = 0x243F_6A88_85A3_08D3
    private var high: UInt64 = 0x1319_8A2E_0370_7344

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func combine(_ value: UInt64) {
        low = Self.mix(low ^ value)
        high = Self.mix(high ^ (value &* 0xD6E8_FEB8_6659_FD93) ^ low)
    }

    mutating func combine(_ value: Int) { combine(UInt64(bitPattern: Int64(value))) }
    mutating func combine(_ value: Int32) { combine(UInt64(UInt32(bitPattern: value))) }

    /// The bytes, eight at a time, then their count (so `ab`+`c` differs from `a`+`bc`).
    mutating func combine(bytes: [UInt8]) {
        bytes.withUnsafeBytes { combine(raw: $0) }
    }

    mutating func combine(raw bytes: UnsafeRawBufferPointer) {
        let whole = bytes.count / 8
        for index in 0..<whole {
            combine(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)))
        }
        var word: UInt64 = 0
        for index in (whole * 8)..<bytes.count {
            word |= UInt64(bytes[index]) << (UInt64(index & 7) * 8)
        }
        combine(word)
        combine(bytes.count)
    }

    mutating func combine(_ values: [Int32]) {
        for value in values { combine(value) }
        combine(values.count)
    }

    mutating func combine(_ string: String) { combine(bytes: Array(string.utf8)) }

    var hexDigest: String {
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return hex(high) + hex(low)
    }
}
