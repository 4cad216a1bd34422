import Foundation

/// SplitMix64: a tiny, fast, seeded generator, so that a fuzz run is the same run every time
/// and a failing input is found again from its seed and iteration.
public struct FuzzRandom: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (bound > 0).
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// Mutates real seed files the way damage and malice do: flipped bits, odd bytes, cuts,
/// repeated and deleted chunks, pieces of another seed spliced in, tokens of the format
/// inserted, and deep nesting. Between one and four mutations are stacked per input.
public struct Mutator {
    public let seeds: [[UInt8]]
    /// Tokens of the target's format (`{`, `*a`, `\u`, a GGUF type tag, …) to insert.
    public let dictionary: [[UInt8]]
    /// Openers and closers for deep nesting, e.g. `[`/`]`, `{"a":`/`}`, `- `/``.
    public let nesting: [(open: [UInt8], close: [UInt8])]
    /// Inputs never grow past this many bytes.
    public let maximumLength: Int

    public init(seeds: [[UInt8]], dictionary: [[UInt8]] = [], nesting: [(open: [UInt8], close: [UInt8])] = [],
                maximumLength: Int = 64 << 10) {
        precondition(!seeds.isEmpty, "a fuzz target needs at least one seed")
        self.seeds = seeds
        self.dictionary = dictionary
        self.nesting = nesting
        self.maximumLength = maximumLength
    }

    static let interestingBytes: [UInt8] = [0x00, 0xFF, 0x7F, 0x80, 0xC0, 0xE2, 0xF0, 0x22, 0x27, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x3A, 0x2C,
                                            0x0A, 0x0D, 0x09, 0x20, 0x26, 0x2A, 0x21, 0x23, 0x2D, 0x7C, 0x3E, 0x30, 0x39, 0x65, 0x2E]

    /// One mutated input.
    public func next(_ rng: inout FuzzRandom) -> [UInt8] {
        var bytes = seeds[rng.below(seeds.count)]
        for _ in 0...rng.below(4) { mutate(&bytes, &rng) }
        if bytes.count > maximumLength { bytes.removeSubrange(maximumLength...) }
        return bytes
    }

    private func mutate(_ bytes: inout [UInt8], _ rng: inout FuzzRandom) {
        let position = bytes.isEmpty ? 0 : rng.below(bytes.count + 1)
        switch rng.below(10) {
        case 0 where !bytes.isEmpty:   // flip one bit
            let index = rng.below(bytes.count)
            bytes[index] ^= 1 << UInt8(rng.below(8))
        case 1 where !bytes.isEmpty:   // an interesting or random byte
            let index = rng.below(bytes.count)
            bytes[index] = rng.below(2) == 0 ? Self.interestingBytes[rng.below(Self.interestingBytes.count)] : UInt8(truncatingIfNeeded: rng.next())
        case 2:   // cut the end off
            bytes.removeSubrange(position...)
        case 3 where !bytes.isEmpty:   // duplicate a chunk, sometimes many times
            let start = rng.below(bytes.count)
            let chunk = Array(bytes[start..<min(bytes.count, start + 1 + rng.below(64))])
            let copies = rng.below(8) == 0 ? 1 + rng.below(500) : 1
            let insertAt = rng.below(bytes.count + 1)
            bytes.insert(contentsOf: repeatElement(chunk, count: min(copies, maximumLength / max(chunk.count, 1))).joined(), at: insertAt)
        case 4 where !bytes.isEmpty:   // delete a chunk
            let start = rng.below(bytes.count)
            bytes.removeSubrange(start..<min(bytes.count, start + 1 + rng.below(64)))
        case 5:   // splice: this seed's start, another's end
            let other = seeds[rng.below(seeds.count)]
            let cut = other.isEmpty ? 0 : rng.below(other.count)
            bytes = Array(bytes[..<position]) + other[cut...]
        case 6 where !dictionary.isEmpty:   // a token of the format
            bytes.insert(contentsOf: dictionary[rng.below(dictionary.count)], at: position)
        case 7 where !nesting.isEmpty:   // deep nesting around a piece, or an unclosed run of openers
            let pair = nesting[rng.below(nesting.count)]
            let depth = 1 + rng.below(rng.below(4) == 0 ? 2_000 : 64)
            let opens = Array(repeatElement(pair.open, count: depth).joined())
            let closes = rng.below(3) == 0 ? [] : Array(repeatElement(pair.close, count: depth).joined())
            let end = position + rng.below(bytes.count - position + 1)
            bytes = Array(bytes[..<position]) + opens + bytes[position..<end] + closes + bytes[end...]
        case 8:   // a number at its limits
            let numbers = ["-0", "1e999", "-1e-999", "18446744073709551616", "9223372036854775808", "NaN", "0x7fffffff", "1.7976931348623157e309"]
            bytes.insert(contentsOf: Array(numbers[rng.below(numbers.count)].utf8), at: position)
        default:   // a random byte anywhere
            bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: position)
        }
    }
}

/// Seed files from the repository, found from this file's path.
public enum FuzzSeeds {
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The bytes of every file under `folder` (relative to the package root, searched
    /// recursively) whose name ends with one of `suffixes`, in path order.
    public static func files(under folder: String, endingWith suffixes: [String]) -> [[UInt8]] {
        let root = packageRoot.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        let paths = walker.compactMap { $0 as? URL }.filter { url in suffixes.contains { url.lastPathComponent.hasSuffix($0) } }
        return paths.sorted { $0.path < $1.path }.compactMap { try? Data(contentsOf: $0) }.map { Array($0) }
    }
}

/// Tokens shared by the JSON-shaped targets: structure, escapes, odd numbers, stray bytes.
public enum FuzzTokens {
    public static let json: [[UInt8]] = [
        "{", "}", "[", "]", ":", ",", "\"", "\\", "\\u", "\\ud800", "\\udc00", "\\u0000", "true", "false", "null", "-", "0", "1e400",
        "-0.0", "1E-400", "123456789012345678901234567890", "\u{FEFF}", "\u{0}", " ", "\t", "\n",
    ].map { Array($0.utf8) }

    /// Openers and closers that nest JSON arrays and objects.
    public static let jsonNesting: [(open: [UInt8], close: [UInt8])] = [
        (Array("[".utf8), Array("]".utf8)), (Array("{\"a\":".utf8), Array("}".utf8)),
    ]
}
