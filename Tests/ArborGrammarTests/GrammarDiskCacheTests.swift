@testable import ArborGrammar
import Foundation
import XCTest

/// Compiled masks kept on disk: a second compile reads them and gives the same masks as a
/// fresh one; another grammar or vocabulary gets another file; a damaged file is ignored
/// and written again, never a crash.
final class GrammarDiskCacheTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("grammar-cache-\(UUID().uuidString)").path
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A small tree (one tool, short texts), so that each fill is quick in a debug build.
    private func smallSpec() throws -> ReasoningTreeSpec {
        ReasoningTreeSpec(
            tools: [.init(name: "clock", parameters: try GrammarTestSupport.document(#"{"type":"object","properties":{},"additionalProperties":false}"#))],
            output: try GrammarTestSupport.document(#"{"type":"object","properties":{"result":{"type":"string","maxLength":6}},"required":["result"]}"#),
            maxDepth: 2, maxBreadth: 2, maxToolCalls: 1, maxTextLength: 10)
    }

    private var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".masks") }.sorted()
    }

    private func texts(_ grammar: Grammar) -> [([UInt8], [UInt8])] {
        (0..<10).map { seed in
            var sampler = GrammarSampler(grammar, seed: UInt64(70 + seed))
            sampler.depthLimit = 10
            return (sampler.sample(), sampler.holeText)
        }
    }

    func testASecondCompileReadsTheMasksAndTheyEqualAFreshCompile() throws {
        let cache = GrammarDiskCache(directory: folder)
        let built = try TreeGrammarBuilder.grammar(for: try smallSpec())
        let vocabulary = MaskCacheFillTests.vocabulary
        let first = try CompiledGrammar(built.grammar, vocabulary: vocabulary, diskCache: cache)
        XCTAssertFalse(first.masksReadFromDisk)
        XCTAssertEqual(files.count, 1)

        let second = try CompiledGrammar(built.grammar, vocabulary: vocabulary, diskCache: cache)
        XCTAssertTrue(second.masksReadFromDisk)
        XCTAssertEqual(second.cachedPositionCount, first.cachedPositionCount)
        let fresh = try CompiledGrammar(built.grammar, vocabulary: vocabulary)
        for (text, hole) in texts(built.grammar) {
            XCTAssertEqual(MaskCacheFillTests.masks(along: text, second, holeText: hole),
                           MaskCacheFillTests.masks(along: text, fresh, holeText: hole), String(decoding: text, as: UTF8.self))
        }
        XCTAssertEqual(second.cachedPositionCount, first.cachedPositionCount, "the file held every position a decoding reaches")

        // Another grammar, and the same grammar over another vocabulary: files of their own.
        var spec = try smallSpec()
        spec.maxDepth = 3
        let other = try CompiledGrammar(try TreeGrammarBuilder.grammar(for: spec).grammar, vocabulary: vocabulary, diskCache: cache)
        XCTAssertFalse(other.masksReadFromDisk)
        var tokens = vocabulary.tokens
        tokens.insert(Array("zz".utf8), at: tokens.count - 1)
        let otherVocabulary = TokenVocabulary(tokens: tokens, endTokenIDs: [tokens.count - 1])
        XCTAssertFalse(try CompiledGrammar(built.grammar, vocabulary: otherVocabulary, diskCache: cache).masksReadFromDisk)
        XCTAssertEqual(files.count, 3)
    }

    func testADamagedFileIsIgnoredAndWrittenAgain() throws {
        let cache = GrammarDiskCache(directory: folder)
        let built = try TreeGrammarBuilder.grammar(for: try smallSpec())
        let vocabulary = MaskCacheFillTests.vocabulary
        _ = try CompiledGrammar(built.grammar, vocabulary: vocabulary, diskCache: cache)
        let path = folder + "/" + files[0]
        let intact = try XCTUnwrap(FileManager.default.contents(atPath: path))

        var flipped = intact
        flipped[flipped.count / 2] ^= 0x40
        let damages: [(String, Data)] = [("truncated", intact.prefix(intact.count / 3)), ("one byte flipped", flipped),
                                         ("empty", Data()), ("not a cache file", Data("hello".utf8))]
        for (name, damaged) in damages {
            try damaged.write(to: URL(fileURLWithPath: path))
            let compiled = try CompiledGrammar(built.grammar, vocabulary: vocabulary, diskCache: cache)
            XCTAssertFalse(compiled.masksReadFromDisk, name)
            XCTAssertEqual(FileManager.default.contents(atPath: path), intact, "\(name): the file is written again")
            XCTAssertTrue(try CompiledGrammar(built.grammar, vocabulary: vocabulary, diskCache: cache).masksReadFromDisk, name)
        }
    }

    /// A file whose check hash matches but whose indices do not fit the grammar (as a file
    /// written by hand would be) is refused before any mask reads it.
    func testEntriesOutOfRangeAreRefused() throws {
        let cache = GrammarDiskCache(directory: folder)
        let built = try TreeGrammarBuilder.grammar(for: try smallSpec())
        let vocabulary = MaskCacheFillTests.vocabulary
        _ = try CompiledGrammar(built.grammar, vocabulary: vocabulary, diskCache: cache)
        let path = folder + "/" + files[0]
        var entries = try XCTUnwrap(GrammarDiskCache.decode([UInt8](try XCTUnwrap(FileManager.default.contents(atPath: path)))))
        entries[0].entry = TokenMaskCache.Entry(acceptedMask: [], acceptedIDs: [Int32(vocabulary.tokens.count + 5)], uncertain: [])
        try Data(GrammarDiskCache.encode(entries)).write(to: URL(fileURLWithPath: path))
        XCTAssertFalse(try CompiledGrammar(built.grammar, vocabulary: vocabulary, diskCache: cache).masksReadFromDisk)
    }

    func testTheFolderIsTrimmedToItsLimitOldestFirst() throws {
        var cache = GrammarDiskCache(directory: folder)
        let vocabulary = MaskCacheFillTests.vocabulary
        var spec = try smallSpec()
        var written: [String] = []
        for depth in 1...3 {
            spec.maxDepth = depth
            _ = try CompiledGrammar(try TreeGrammarBuilder.grammar(for: spec).grammar, vocabulary: vocabulary, diskCache: cache)
            written += Set(files).subtracting(written)
            Thread.sleep(forTimeInterval: 0.02)
        }
        XCTAssertEqual(written.count, 3)
        let sizes = try files.map { try XCTUnwrap(FileManager.default.attributesOfItem(atPath: folder + "/" + $0)[.size] as? Int) }
        cache.maximumTotalBytes = sizes.reduce(0, +)
        spec.maxDepth = 4
        _ = try CompiledGrammar(try TreeGrammarBuilder.grammar(for: spec).grammar, vocabulary: vocabulary, diskCache: cache)
        XCTAssertFalse(files.contains(written[0]), "the oldest file went")
        XCTAssertLessThanOrEqual(try files.map { try XCTUnwrap(FileManager.default.attributesOfItem(atPath: folder + "/" + $0)[.size] as? Int) }
            .reduce(0, +), cache.maximumTotalBytes)
    }

    func testStandardFolderAndSwitch() {
        XCTAssertEqual(GrammarDiskCache.standard(environment: ["ARBOR_CACHE_DIR": "/x"])?.directory, "/x/grammars")
        XCTAssertEqual(GrammarDiskCache.standard(environment: ["XDG_CACHE_HOME": "/y", "HOME": "/h"])?.directory, "/y/arbor/grammars")
        XCTAssertEqual(GrammarDiskCache.standard(environment: ["HOME": "/h"])?.directory, "/h/.cache/arbor/grammars")
        XCTAssertNil(GrammarDiskCache.standard(environment: ["ARBOR_GRAMMAR_CACHE": "off", "HOME": "/h"]))
    }
}
