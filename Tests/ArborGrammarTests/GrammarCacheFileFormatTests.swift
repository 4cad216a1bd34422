@testable import ArborGrammar
import XCTest

/// The grammar cache file's compact form: masks as word runs against a reference mask,
/// variable-length integers, each distinct mask and list stored once. Everything written
/// reads back equal, whatever the mask (random at every density, all-0, all-1, one bit at
/// either end, vocabularies of sizes that are not a multiple of 32 or 64); anything damaged
/// reads back as nil.
final class GrammarCacheFileFormatTests: XCTestCase {
    /// Vocabulary sizes around word boundaries, and the two shipped models' (Qwen2.5's
    /// 151,936 is not a multiple of 64 words' bits; 49,159 ends mid-word).
    private static let tokenCounts = [1, 31, 32, 33, 63, 64, 65, 95, 127, 1000, 49_159, 151_936]

    private struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        /// True with probability `p`.
        mutating func chance(_ p: Double) -> Bool { Double(next() % 1_000_000) < p * 1_000_000 }
    }

    /// A mask over `tokenCount` tokens with each bit set with probability `density`.
    private static func mask(tokenCount: Int, density: Double, random: inout Random) -> [UInt32] {
        var mask = [UInt32](repeating: 0, count: (tokenCount + 31) / 32)
        for id in 0..<tokenCount where random.chance(density) { mask[id >> 5] |= 1 << UInt32(id & 31) }
        return mask
    }

    private static func allOnes(tokenCount: Int) -> [UInt32] {
        var mask = [UInt32](repeating: .max, count: (tokenCount + 31) / 32)
        if tokenCount & 31 != 0 { mask[mask.count - 1] = (1 << UInt32(tokenCount & 31)) - 1 }
        return mask
    }

    /// The masks each vocabulary size is tried with: edge cases, then random ones.
    private static func masks(tokenCount: Int, random: inout Random) -> [[UInt32]] {
        let words = (tokenCount + 31) / 32
        var single: [[UInt32]] = []
        for id in Set([0, 31, 32, tokenCount - 1].filter { $0 < tokenCount }).sorted() {
            var mask = [UInt32](repeating: 0, count: words)
            mask[id >> 5] = 1 << UInt32(id & 31)
            single.append(mask)
            var hole = allOnes(tokenCount: tokenCount)
            hole[id >> 5] &= ~(1 << UInt32(id & 31))
            single.append(hole)
        }
        let densities = [0.0005, 0.01, 0.3, 0.5, 0.97, 0.9995]
        return [[UInt32](repeating: 0, count: words), allOnes(tokenCount: tokenCount)] + single
            + densities.map { mask(tokenCount: tokenCount, density: $0, random: &random) }
    }

    func testMasksRoundTripWithAndWithoutAReference() {
        var random = Random(state: 0x5EED)
        for tokenCount in Self.tokenCounts {
            let masks = Self.masks(tokenCount: tokenCount, random: &random)
            for mask in masks {
                // None, an unrelated mask, and the mask with a few bits flipped.
                var near = mask
                for _ in 0..<3 { near[Int(random.next() % UInt64(near.count))] ^= 1 << UInt32(random.next() % 32) }
                for reference in [nil, masks[Int(random.next() % UInt64(masks.count))], near] {
                    var writer = CacheFileWriter()
                    MaskRuns.encode(mask, reference: reference, into: &writer)
                    writer.word(0xDEAD_BEEF)
                    XCTAssertEqual(writer.bytes.count, MaskRuns.encodedSize(mask, reference: reference) + 4, "size of \(tokenCount)")
                    writer.bytes.withUnsafeBytes { bytes in
                        var reader = CacheFileReader(bytes)
                        XCTAssertEqual(MaskRuns.decode(from: &reader, reference: reference, wordCount: mask.count), mask, "\(tokenCount) tokens")
                        XCTAssertEqual(reader.word(), 0xDEAD_BEEF, "the runs end where they were written")
                    }
                }
            }
        }
    }

    func testNearlyUniformMasksTakeAFewBytes() {
        var random = Random(state: 11)
        let tokenCount = 151_936
        // One run: 4,748 words << 2 takes three bytes.
        XCTAssertEqual(MaskRuns.encodedSize([UInt32](repeating: 0, count: 4748), reference: nil), 3)
        XCTAssertEqual(MaskRuns.encodedSize(Self.allOnes(tokenCount: tokenCount), reference: nil), 3)
        let sparse = Self.mask(tokenCount: tokenCount, density: 0.0005, random: &random)
        XCTAssertLessThan(MaskRuns.encodedSize(sparse, reference: nil), 4748 * 4 / 5)
        var close = sparse
        close[100] ^= 8
        // 100 words kept (2 bytes), one literal word (1 + 4), 4,647 kept (3).
        XCTAssertEqual(MaskRuns.encodedSize(close, reference: sparse), 10, "one word differs from the reference")
    }

    func testDamagedRunsAreRefused() {
        func decode(_ bytes: [UInt8], reference: [UInt32]? = nil, words: Int = 4) -> [UInt32]? {
            bytes.withUnsafeBytes { bytes in
                var reader = CacheFileReader(bytes)
                return MaskRuns.decode(from: &reader, reference: reference, wordCount: words)
            }
        }
        XCTAssertEqual(decode([4 << 2 | 1]), [.max, .max, .max, .max])
        XCTAssertEqual(decode([1 << 2 | 2, 7, 0, 0, 0, 3 << 2]), [7, 0, 0, 0])
        XCTAssertEqual(decode([4 << 2 | 1], reference: [1, 2, 3, 4]), [~1, ~2, ~3, ~4])
        XCTAssertNil(decode([0 << 2 | 1, 4 << 2]), "a run of no word")
        XCTAssertNil(decode([4 << 2 | 3]), "an unknown kind")
        XCTAssertNil(decode([5 << 2]), "past the mask's end")
        XCTAssertNil(decode([3 << 2]), "short of the mask's end")
        XCTAssertNil(decode([1 << 2 | 2, 7, 0, 0]), "a literal word cut off")
        XCTAssertNil(decode([0x80]), "a number cut off")
    }

    func testVariableLengthIntegersRoundTripAndRefuseOverlongOnes() {
        let values: [UInt64] = [0, 1, 127, 128, 300, 16_383, 16_384, UInt64(UInt32.max), 1 << 63, .max]
        let signed: [Int64] = [0, -1, 1, -64, 64, Int64(Int32.min), Int64(Int32.max), .min, .max]
        var writer = CacheFileWriter()
        for value in values { writer.varint(value) }
        for value in signed { writer.signed(value) }
        XCTAssertEqual(Array(writer.bytes.prefix(6)), [0, 1, 127, 0x80, 1, 0xAC], "seven bits a byte, low bits first")
        writer.bytes.withUnsafeBytes { bytes in
            var reader = CacheFileReader(bytes)
            XCTAssertEqual(values.map { _ in reader.varint() }, values)
            XCTAssertEqual(signed.map { _ in reader.signed(magnitudeAtMost: .max) }, signed.map { $0 == .min ? nil : $0 },
                           "the one value whose magnitude is past Int64.max is refused")
            XCTAssertTrue(reader.isAtEnd)
        }
        for (bytes, why) in [([UInt8](repeating: 0xFF, count: 10) + [1], "eleven bytes"),
                             ([UInt8](repeating: 0xFF, count: 9) + [2], "a 65th bit"), ([0xFF, 0xFF], "cut off")] {
            bytes.withUnsafeBytes { bytes in
                var reader = CacheFileReader(bytes)
                XCTAssertNil(reader.varint(), why)
            }
        }
        [UInt8]([5]).withUnsafeBytes { bytes in
            var reader = CacheFileReader(bytes)
            XCTAssertNil(reader.count(atMost: 4), "a count past its limit")
        }
    }

    /// Entries over a vocabulary of `tokenCount` tokens: random masks, each held by two
    /// entries, id lists and sorted position lists, some shared.
    private static func entries(tokenCount: Int, random: inout Random) -> [GrammarDiskCache.StoredEntry] {
        let masks = masks(tokenCount: tokenCount, random: &random)
        var entries: [GrammarDiskCache.StoredEntry] = []
        for (index, mask) in (masks + masks).enumerated() {
            let ids = (0..<Int(random.next() % 5)).map { _ in Int32(random.next() % UInt64(tokenCount)) }
            let uncertain = Array(Set((0..<Int(random.next() % 4)).map { _ in Int(random.next() % UInt64(tokenCount)) })).sorted()
            let returns = (0...index % 3).map { $0 == 0 ? FrameTable.root : Int32((index + $0) % 50) }
            entries.append((TokenMaskCache.Key(node: Int32(index % 50), returns: returns),
                            TokenMaskCache.Entry(acceptedMask: index % 5 == 4 ? [] : mask, acceptedIDs: ids, uncertain: uncertain)))
        }
        return entries
    }

    private static func assertEqual(_ read: [GrammarDiskCache.StoredEntry]?, _ written: [GrammarDiskCache.StoredEntry],
                                    _ message: String, line: UInt = #line) {
        guard let read else { return XCTFail("not read back: \(message)", line: line) }
        XCTAssertEqual(read.map(\.key), written.map(\.key), message, line: line)
        XCTAssertEqual(read.map(\.entry.acceptedMask), written.map(\.entry.acceptedMask), message, line: line)
        XCTAssertEqual(read.map(\.entry.acceptedIDs), written.map(\.entry.acceptedIDs), message, line: line)
        XCTAssertEqual(read.map(\.entry.uncertain), written.map(\.entry.uncertain), message, line: line)
    }

    func testFilesRoundTripOverVocabulariesOfEverySize() {
        var random = Random(state: 0xF11E)
        for tokenCount in Self.tokenCounts {
            let entries = Self.entries(tokenCount: tokenCount, random: &random)
            let bounds = GrammarDiskCache.Bounds(nodeCount: 50, tokenCount: tokenCount, positionCount: tokenCount)
            Self.assertEqual(GrammarDiskCache.decode(GrammarDiskCache.encode(entries), fitting: bounds), entries, "\(tokenCount) tokens")
        }
        let bounds = GrammarDiskCache.Bounds(nodeCount: 1, tokenCount: 10, positionCount: 10)
        Self.assertEqual(GrammarDiskCache.decode(GrammarDiskCache.encode([]), fitting: bounds), [], "no entry")
    }

    /// A mask held by many entries is written once and read back into one shared array.
    func testAMaskHeldByManyEntriesIsStoredOnceAndShared() throws {
        var random = Random(state: 3)
        let mask = Self.mask(tokenCount: 151_936, density: 0.5, random: &random)
        let entries = (0..<40).map { node in
            (key: TokenMaskCache.Key(node: Int32(node), returns: [FrameTable.root]),
             entry: TokenMaskCache.Entry(acceptedMask: Array(mask), acceptedIDs: [], uncertain: []))
        }
        let bytes = GrammarDiskCache.encode(entries)
        XCTAssertLessThan(bytes.count, mask.count * 4 * 2, "one mask's words (half of them random), a few bytes per entry")
        let read = try XCTUnwrap(GrammarDiskCache.decode(bytes, fitting: .init(nodeCount: 40, tokenCount: 151_936, positionCount: 10)))
        let storage = Set(read.map { $0.entry.acceptedMask.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } })
        XCTAssertEqual(storage.count, 1)
        XCTAssertEqual(read.first?.entry.acceptedMask, mask)
    }

    /// Anything an entry points at must fit the grammar and vocabulary the file is read for.
    func testEntriesThatDoNotFitTheBoundsAreRefused() {
        var random = Random(state: 7)
        let entries = Self.entries(tokenCount: 100, random: &random)
        let bytes = GrammarDiskCache.encode(entries)
        let bounds = GrammarDiskCache.Bounds(nodeCount: 50, tokenCount: 100, positionCount: 100)
        XCTAssertNotNil(GrammarDiskCache.decode(bytes, fitting: bounds))
        var fewerNodes = bounds
        fewerNodes.nodeCount = 20
        XCTAssertNil(GrammarDiskCache.decode(bytes, fitting: fewerNodes), "a node past the automaton")
        XCTAssertNil(GrammarDiskCache.decode(bytes, fitting: .init(nodeCount: 50, tokenCount: 100, positionCount: 1)), "a position past the sorted vocabulary")
        XCTAssertNil(GrammarDiskCache.decode(bytes, fitting: .init(nodeCount: 50, tokenCount: 96, positionCount: 100)), "masks of another length")
        XCTAssertNil(GrammarDiskCache.decode(bytes, fitting: .init(nodeCount: 50, tokenCount: 99, positionCount: 100)),
                     "ids past the vocabulary and a mask bit past its last token")

        var beyond = [UInt32](repeating: 0, count: 4)
        beyond[3] = 1 << 10
        let stray = [(key: TokenMaskCache.Key(node: 0, returns: [FrameTable.root]),
                      entry: TokenMaskCache.Entry(acceptedMask: beyond, acceptedIDs: [], uncertain: []))]
        XCTAssertNil(GrammarDiskCache.decode(GrammarDiskCache.encode(stray), fitting: .init(nodeCount: 1, tokenCount: 100, positionCount: 100)),
                     "a bit for token 106 of 100")
        XCTAssertNotNil(GrammarDiskCache.decode(GrammarDiskCache.encode(stray), fitting: .init(nodeCount: 1, tokenCount: 107, positionCount: 100)))
    }
}
