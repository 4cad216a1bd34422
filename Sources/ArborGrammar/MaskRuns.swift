/// Token masks as runs of 32-bit words against a reference mask: the form a
/// ``GrammarDiskCache`` file stores them in.
///
/// The masks a grammar stores are mostly nearly all-0 or nearly all-1 (inside a string
/// almost every token is accepted), and many differ from another mask of the same grammar
/// in a few words only (the same string with another length left, another property's
/// text). So a mask is stored as its XOR with a reference — an earlier mask of the file, or
/// none (all 0) — cut into runs of words of one kind:
/// - `same`: the XOR is 0, the reference's words are kept;
/// - `flipped`: the XOR is all-1, the reference's words are inverted;
/// - `literal`: any other XOR, whose words follow (32-bit little-endian).
///
/// A run is one variable-length integer, `length << 2 | kind`, then a literal run's words.
/// Decoding copies the reference and applies each run a word at a time: no bit is visited
/// on its own.
///
/// ```swift
/// var writer = CacheFileWriter()
/// MaskRuns.encode([0, 0, 0xFFFF_FFFF, 5], reference: nil, into: &writer)   // 3 runs, 7 bytes
/// ```
enum MaskRuns {
    enum Kind: UInt64 {
        case same = 0, flipped = 1, literal = 2
    }

    /// How many earlier masks the writer tries as a mask's reference (the one giving the
    /// fewest bytes wins, or none): masks stored next to each other belong to neighbouring
    /// grammar positions, which is where similar masks are.
    static let referenceWindow = 8

    /// Calls `run` for each maximal run of one kind in `mask` XOR `reference` (all 0 when nil).
    private static func forEachRun(_ mask: UnsafeBufferPointer<UInt32>, reference: UnsafeBufferPointer<UInt32>?,
                                   _ run: (Kind, Range<Int>) -> Void) {
        func kind(_ index: Int) -> Kind {
            let difference = mask[index] ^ (reference?[index] ?? 0)
            return difference == 0 ? .same : difference == .max ? .flipped : .literal
        }
        var start = 0
        while start < mask.count {
            let current = kind(start)
            var end = start + 1
            while end < mask.count && kind(end) == current { end += 1 }
            run(current, start..<end)
            start = end
        }
    }

    /// The bytes ``encode(_:reference:into:)`` writes for `mask` (the reference's distance not counted).
    static func encodedSize(_ mask: [UInt32], reference: [UInt32]?) -> Int {
        var size = 0
        withBuffers(mask, reference) { mask, reference in
            forEachRun(mask, reference: reference) { kind, words in
                size += varintSize(UInt64(words.count) << 2) + (kind == .literal ? 4 * words.count : 0)
            }
        }
        return size
    }

    /// Writes `mask`'s runs against `reference` (of the same length; all 0 when nil).
    static func encode(_ mask: [UInt32], reference: [UInt32]?, into writer: inout CacheFileWriter) {
        precondition(reference == nil || reference?.count == mask.count, "a reference has the mask's length")
        withBuffers(mask, reference) { mask, reference in
            forEachRun(mask, reference: reference) { kind, words in
                writer.varint(UInt64(words.count) << 2 | kind.rawValue)
                if kind == .literal {
                    for index in words { writer.word(mask[index] ^ (reference?[index] ?? 0)) }
                }
            }
        }
    }

    /// Reads the runs of a mask of `wordCount` words against `reference` (of that length;
    /// all 0 when nil), or nil when they are damaged: a run of no word, of an unknown kind,
    /// past the mask's end, or runs that stop short of it.
    static func decode(from reader: inout CacheFileReader, reference: [UInt32]?, wordCount: Int) -> [UInt32]? {
        precondition(reference == nil || reference?.count == wordCount, "a reference has the mask's length")
        var mask = reference ?? [UInt32](repeating: 0, count: wordCount)
        let intact = mask.withUnsafeMutableBufferPointer { words -> Bool in
            var start = 0
            while start < wordCount {
                guard let header = reader.varint() else { return false }
                let length = header >> 2
                guard length >= 1, length <= UInt64(wordCount - start) else { return false }
                let end = start + Int(length)
                switch Kind(rawValue: header & 3) {
                case .same:
                    break
                case .flipped:
                    for index in start..<end { words[index] = ~words[index] }
                case .literal:
                    guard let literal = reader.raw(4 * (end - start)) else { return false }
                    for index in start..<end {
                        words[index] ^= UInt32(littleEndian: literal.loadUnaligned(fromByteOffset: 4 * (index - start), as: UInt32.self))
                    }
                case nil:
                    return false
                }
                start = end
            }
            return true
        }
        return intact ? mask : nil
    }

    static func varintSize(_ value: UInt64) -> Int {
        max(1, (64 - value.leadingZeroBitCount + 6) / 7)
    }

    private static func withBuffers<Result>(_ mask: [UInt32], _ reference: [UInt32]?,
                                            _ body: (UnsafeBufferPointer<UInt32>, UnsafeBufferPointer<UInt32>?) -> Result) -> Result {
        mask.withUnsafeBufferPointer { mask in
            guard let reference else { return body(mask, nil) }
            return reference.withUnsafeBufferPointer { body(mask, $0) }
        }
    }
}
