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

    /// The masks along random texts of `grammar` equal those of a compile that read no file.
    private func assertMasksEqualAFreshCompile(_ read: CompiledGrammar, _ grammar: Grammar, line: UInt = #line) throws {
        let fresh = try CompiledGrammar(grammar, vocabulary: read.vocabulary)
        for (text, hole) in texts(grammar) {
            XCTAssertEqual(MaskCacheFillTests.masks(along: text, read, holeText: hole),
                           MaskCacheFillTests.masks(along: text, fresh, holeText: hole), String(decoding: text, as: UTF8.self), line: line)
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
        try assertMasksEqualAFreshCompile(second, built.grammar)
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

    /// The small tree compiled once into the cache folder, and the path of the file written.
    private func writtenFile() throws -> (GrammarDiskCache, SchemaGrammar, TokenVocabulary, String) {
        let cache = GrammarDiskCache(directory: folder)
        let built = try TreeGrammarBuilder.grammar(for: try smallSpec())
        let vocabulary = MaskCacheFillTests.vocabulary
        _ = try CompiledGrammar(built.grammar, vocabulary: vocabulary, diskCache: cache)
        return (cache, built, vocabulary, folder + "/" + files[0])
    }

    func testADamagedFileIsIgnoredAndWrittenAgain() throws {
        let (cache, built, vocabulary, path) = try writtenFile()
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
        let (cache, built, vocabulary, path) = try writtenFile()
        let bounds = GrammarDiskCache.Bounds(automaton: try GrammarAutomaton(built.grammar), vocabulary: vocabulary)
        var entries = try XCTUnwrap(GrammarDiskCache.decode([UInt8](try XCTUnwrap(FileManager.default.contents(atPath: path))), fitting: bounds))
        let intact = entries
        entries[0].entry = TokenMaskCache.Entry(acceptedMask: [], acceptedIDs: [Int32(vocabulary.tokens.count + 5)], uncertain: [])
        try Data(GrammarDiskCache.encode(entries)).write(to: URL(fileURLWithPath: path))
        XCTAssertFalse(try CompiledGrammar(built.grammar, vocabulary: vocabulary, diskCache: cache).masksReadFromDisk)

        // Uncertain positions out of order, and a position with no return node.
        entries = intact
        let withTwo = try XCTUnwrap(entries.firstIndex { $0.entry.uncertain.count >= 2 })
        entries[withTwo].entry.uncertain.swapAt(0, 1)
        try Data(GrammarDiskCache.encode(entries)).write(to: URL(fileURLWithPath: path))
        XCTAssertFalse(try CompiledGrammar(built.grammar, vocabulary: vocabulary, diskCache: cache).masksReadFromDisk, "unsorted")
        entries = intact
        entries[0].key.returns = []
        try Data(GrammarDiskCache.encode(entries)).write(to: URL(fileURLWithPath: path))
        XCTAssertFalse(try CompiledGrammar(built.grammar, vocabulary: vocabulary, diskCache: cache).masksReadFromDisk, "no return node")
        XCTAssertTrue(try CompiledGrammar(built.grammar, vocabulary: vocabulary, diskCache: cache).masksReadFromDisk, "written again")
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

    /// A file written by another format version (its header says so; the check hash is
    /// right) is refused and replaced by this version's file.
    func testAFileOfAnotherFormatVersionIsIgnoredAndWrittenAgain() throws {
        let (cache, built, vocabulary, path) = try writtenFile()
        let intact = try XCTUnwrap(FileManager.default.contents(atPath: path))
        var body = [UInt8](intact.dropLast(32))
        let version = GrammarDiskCache.magic.count
        XCTAssertEqual(Array(body[version..<version + 4]), [2, 0, 0, 0], "the version follows the magic")
        body[version] = UInt8(GrammarDiskCache.formatVersion + 1)
        var hasher = StableHasher()
        hasher.combine(bytes: body)
        try Data(body + Array(hasher.hexDigest.utf8)).write(to: URL(fileURLWithPath: path))

        let compiled = try CompiledGrammar(built.grammar, vocabulary: vocabulary, diskCache: cache)
        XCTAssertFalse(compiled.masksReadFromDisk)
        XCTAssertEqual(FileManager.default.contents(atPath: path), intact, "this version's file is written again")
    }

    /// A file of the first format (every mask a whole bitmask, every number 32 bits), as an
    /// older build wrote it, is refused and replaced by this format's smaller file.
    func testAVersion1FileIsReplaced() throws {
        let (cache, built, vocabulary, path) = try writtenFile()
        let intact = try XCTUnwrap(FileManager.default.contents(atPath: path))
        let bounds = GrammarDiskCache.Bounds(automaton: try GrammarAutomaton(built.grammar), vocabulary: vocabulary)
        let version1 = Self.version1File(try XCTUnwrap(GrammarDiskCache.decode([UInt8](intact), fitting: bounds)))
        try Data(version1).write(to: URL(fileURLWithPath: path))

        XCTAssertFalse(try CompiledGrammar(built.grammar, vocabulary: vocabulary, diskCache: cache).masksReadFromDisk)
        XCTAssertEqual(FileManager.default.contents(atPath: path), intact, "this version's file is written again")
        XCTAssertLessThan(intact.count, version1.count / 2)
        let read = try CompiledGrammar(built.grammar, vocabulary: vocabulary, diskCache: cache)
        XCTAssertTrue(read.masksReadFromDisk)
        try assertMasksEqualAFreshCompile(read, built.grammar)
    }

    /// The first format's layout: `ARBORGMC`, version 1, the entry count, then per entry its
    /// node, return nodes, mask words, ids and uncertain positions (each list a count and
    /// its values, all 32-bit little-endian), and the check hash.
    static func version1File(_ entries: [GrammarDiskCache.StoredEntry]) -> [UInt8] {
        var writer = CacheFileWriter()
        writer.append(GrammarDiskCache.magic)
        writer.word(1)
        writer.word(UInt32(entries.count))
        func list(_ values: [UInt32]) {
            writer.word(UInt32(values.count))
            for value in values { writer.word(value) }
        }
        for (key, entry) in entries {
            writer.word(UInt32(bitPattern: key.node))
            list(key.returns.map { UInt32(bitPattern: $0) })
            list(entry.acceptedMask)
            list(entry.acceptedIDs.map { UInt32(bitPattern: $0) })
            list(entry.uncertain.map { UInt32($0) })
        }
        var hasher = StableHasher()
        hasher.combine(bytes: writer.bytes)
        return writer.bytes + Array(hasher.hexDigest.utf8)
    }

    /// The file name changes with anything the masks depend on: a token's bytes, the end
    /// tokens, the special tokens, the grammar.
    func testTheKeyChangesWithTheGrammarAndTheVocabulary() throws {
        let vocabulary = MaskCacheFillTests.vocabulary
        let automaton = try GrammarAutomaton(try TreeGrammarBuilder.grammar(for: try smallSpec()).grammar)
        let base = GrammarDiskCache.fingerprint(automaton: automaton, vocabulary: vocabulary)
        XCTAssertEqual(base, GrammarDiskCache.fingerprint(automaton: automaton, vocabulary: vocabulary), "stable")
        XCTAssertEqual(base.count, 32)

        var tokens = vocabulary.tokens
        let last = tokens.indices.last { !tokens[$0].isEmpty && !vocabulary.specialTokenIDs.contains($0) }!
        tokens[last][tokens[last].count - 1] ^= 1
        let changedToken = TokenVocabulary(tokens: tokens, endTokenIDs: vocabulary.endTokenIDs, specialTokenIDs: vocabulary.specialTokenIDs)
        let otherEnd = TokenVocabulary(tokens: vocabulary.tokens, endTokenIDs: vocabulary.endTokenIDs + [last],
                                       specialTokenIDs: vocabulary.specialTokenIDs)
        let otherSpecial = TokenVocabulary(tokens: vocabulary.tokens, endTokenIDs: vocabulary.endTokenIDs,
                                           specialTokenIDs: vocabulary.specialTokenIDs.union([last]))
        var spec = try smallSpec()
        spec.maxBreadth = 3
        let otherAutomaton = try GrammarAutomaton(try TreeGrammarBuilder.grammar(for: spec).grammar)
        let keys = [base,
                    GrammarDiskCache.fingerprint(automaton: automaton, vocabulary: changedToken),
                    GrammarDiskCache.fingerprint(automaton: automaton, vocabulary: otherEnd),
                    GrammarDiskCache.fingerprint(automaton: automaton, vocabulary: otherSpecial),
                    GrammarDiskCache.fingerprint(automaton: otherAutomaton, vocabulary: vocabulary)]
        XCTAssertEqual(Set(keys).count, keys.count, "\(keys)")
    }

    /// Compiles of one grammar at the same time (as parallel runs would) all succeed and
    /// leave one intact file and no temporary file; it reads back to the same masks.
    func testConcurrentCompilesOfOneGrammarLeaveOneIntactFile() throws {
        let cache = GrammarDiskCache(directory: folder)
        let built = try TreeGrammarBuilder.grammar(for: try smallSpec())
        let vocabulary = MaskCacheFillTests.vocabulary
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                _ = try CompiledGrammar(built.grammar, vocabulary: vocabulary, diskCache: cache)
            } catch {
                failures.add("\(error)")
            }
        }
        XCTAssertEqual(failures.all, [])
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        XCTAssertEqual(names.filter { $0.hasSuffix(".masks") }.count, 1, "\(names)")
        XCTAssertEqual(names.filter { $0.hasSuffix(".tmp") }, [])
        let read = try CompiledGrammar(built.grammar, vocabulary: vocabulary, diskCache: cache)
        XCTAssertTrue(read.masksReadFromDisk)
        try assertMasksEqualAFreshCompile(read, built.grammar)
    }

    /// A temporary file a killed writer left is deleted once it is old; one being written is not.
    func testAbandonedTemporaryFilesAreTrimmed() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let abandoned = folder + "/0123.masks.77.1.tmp"
        let inProgress = folder + "/0123.masks.78.2.tmp"
        for path in [abandoned, inProgress] { try Data(repeating: 7, count: 100).write(to: URL(fileURLWithPath: path)) }
        try setModified(abandoned, secondsAgo: GrammarDiskCache.abandonedTemporaryAge + 60)
        GrammarDiskCache(directory: folder).trim()
        XCTAssertFalse(FileManager.default.fileExists(atPath: abandoned))
        XCTAssertTrue(FileManager.default.fileExists(atPath: inProgress))
    }

    /// Trimming drops the file least recently used: a file read again is kept over a newer
    /// one that no run read since.
    func testAFileReadRecentlyOutlivesANewerUnreadOne() throws {
        var cache = GrammarDiskCache(directory: folder)
        let vocabulary = MaskCacheFillTests.vocabulary
        var spec = try smallSpec()
        var byDepth: [Int: String] = [:]
        for depth in 1...2 {
            spec.maxDepth = depth
            _ = try CompiledGrammar(try TreeGrammarBuilder.grammar(for: spec).grammar, vocabulary: vocabulary, diskCache: cache)
            byDepth[depth] = try XCTUnwrap(Set(files).subtracting(byDepth.values).first)
            try setModified(folder + "/" + byDepth[depth]!, secondsAgo: Double(300 - 100 * depth))
        }
        spec.maxDepth = 1
        XCTAssertTrue(try CompiledGrammar(try TreeGrammarBuilder.grammar(for: spec).grammar, vocabulary: vocabulary, diskCache: cache).masksReadFromDisk)
        // Room for the file read and the next one, so that exactly one file must go.
        spec.maxDepth = 3
        let nextGrammar = try TreeGrammarBuilder.grammar(for: spec).grammar
        let probe = GrammarDiskCache(directory: folder + "-probe")
        defer { try? FileManager.default.removeItem(atPath: probe.directory) }
        _ = try CompiledGrammar(nextGrammar, vocabulary: vocabulary, diskCache: probe)
        let nextSize = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: probe.directory).first.flatMap {
            try FileManager.default.attributesOfItem(atPath: probe.directory + "/" + $0)[.size] as? Int
        })
        cache.maximumTotalBytes = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: folder + "/" + byDepth[1]!)[.size] as? Int) + nextSize
        _ = try CompiledGrammar(nextGrammar, vocabulary: vocabulary, diskCache: cache)
        XCTAssertTrue(files.contains(byDepth[1]!), "read a moment ago: kept")
        XCTAssertFalse(files.contains(byDepth[2]!), "written later, never read: trimmed")
    }

    private func setModified(_ path: String, secondsAgo: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-secondsAgo)], ofItemAtPath: path)
    }

    func testADisabledCacheWritesNothing() throws {
        let disabled = GrammarDiskCache.standard(environment: ["ARBOR_CACHE_DIR": folder, "ARBOR_GRAMMAR_CACHE": "off"])
        XCTAssertNil(disabled)
        let compiled = try CompiledGrammar(try TreeGrammarBuilder.grammar(for: try smallSpec()).grammar,
                                           vocabulary: MaskCacheFillTests.vocabulary, diskCache: disabled)
        XCTAssertFalse(compiled.masksReadFromDisk)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder))
    }

    func testStandardFolderAndSwitch() {
        XCTAssertEqual(GrammarDiskCache.standard(environment: ["ARBOR_CACHE_DIR": "/x"])?.directory, "/x/grammars")
        XCTAssertEqual(GrammarDiskCache.standard(environment: ["XDG_CACHE_HOME": "/y", "HOME": "/h"])?.directory, "/y/arbor/grammars")
        XCTAssertEqual(GrammarDiskCache.standard(environment: ["HOME": "/h"])?.directory, "/h/.cache/arbor/grammars")
        XCTAssertNil(GrammarDiskCache.standard(environment: ["ARBOR_GRAMMAR_CACHE": "off", "HOME": "/h"]))
    }
}

/// Errors collected from several threads.
private final class Failures: @unchecked Sendable {
    // @unchecked: `messages` is only read or written while holding `lock`.
    private let lock = NSLock()
    private var messages: [String] = []

    func add(_ message: String) {
        lock.lock(); messages.append(message); lock.unlock()
    }

    var all: [String] {
        lock.lock(); defer { lock.unlock() }
        return messages
    }
}
