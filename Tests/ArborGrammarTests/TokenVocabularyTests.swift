@testable import ArborGrammar
import XCTest

/// The sorted tables a vocabulary builds (with `memcmp` over one flat byte buffer) against
/// a plain sort of the token arrays: duplicate tokens, prefixes, empty and special tokens,
/// bytes above 127; and the digest that names a grammar's disk cache file.
final class TokenVocabularyTests: XCTestCase {
    private static let tokens: [[UInt8]] = [
        Array("ab".utf8), Array("a".utf8), [], Array("abc".utf8), Array("b".utf8), Array("ab".utf8),
        [0xC3, 0xA9], [0xFF], [0x00, 0x01], Array("<end>".utf8), Array("a".utf8), [0xC3], Array(repeating: 0x61, count: 300),
        Array(repeating: 0x61, count: 299) + [0x62],
    ]

    func testSortedTablesEqualAPlainSort() {
        let tokens = Self.tokens
        let vocabulary = TokenVocabulary(tokens: tokens, endTokenIDs: [9], specialTokenIDs: [4])
        let ordinary = tokens.indices.filter { ![4, 9].contains($0) && !tokens[$0].isEmpty }
        let sorted = ordinary.sorted { tokens[$0].lexicographicallyPrecedes(tokens[$1]) || (tokens[$0] == tokens[$1] && $0 < $1) }
        XCTAssertEqual(vocabulary.sortedIDs, sorted.map { Int32($0) })
        XCTAssertEqual(vocabulary.sortedBytes, sorted.flatMap { tokens[$0] })
        XCTAssertEqual(vocabulary.sortedOffsets.count, sorted.count + 1)
        for (position, id) in sorted.enumerated() {
            XCTAssertEqual(vocabulary.tokenLength(atSortedPosition: position), tokens[id].count)
            let previous = position == 0 ? [] : tokens[sorted[position - 1]]
            let common = zip(previous, tokens[id]).prefix { $0 == $1 }.count
            XCTAssertEqual(Int(vocabulary.sharedPrefix[position]), min(common, 255), "position \(position)")
        }
        for byte in 0...256 {
            XCTAssertEqual(vocabulary.firstByteStart[byte], sorted.firstIndex { Int(tokens[$0][0]) >= byte } ?? sorted.count, "byte \(byte)")
        }
        XCTAssertEqual(vocabulary.longestToken, 300)
        XCTAssertEqual(vocabulary.specialTokenIDs, [4, 9])
    }

    func testTheDigestChangesWithAnyTokenOrSpecialId() {
        let base = TokenVocabulary(tokens: Self.tokens, endTokenIDs: [9]).contentDigest
        XCTAssertEqual(base, TokenVocabulary(tokens: Self.tokens, endTokenIDs: [9]).contentDigest)
        var moved = Self.tokens
        moved.swapAt(0, 3)
        var split = Self.tokens
        split[0] = Array("a".utf8)
        split[1] = Array("ba".utf8)
        let others = [TokenVocabulary(tokens: moved, endTokenIDs: [9]),
                      TokenVocabulary(tokens: split, endTokenIDs: [9]),
                      TokenVocabulary(tokens: Self.tokens, endTokenIDs: [9, 7]),
                      TokenVocabulary(tokens: Self.tokens, endTokenIDs: [9], specialTokenIDs: [7])].map(\.contentDigest)
        XCTAssertEqual(Set(others + [base]).count, 5)
    }
}
