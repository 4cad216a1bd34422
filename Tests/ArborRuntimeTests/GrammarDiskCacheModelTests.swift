@testable import ArborGrammar
import ArborModel
@testable import ArborRuntime
import ArborSpec
import Foundation
import XCTest

/// The grammar disk cache on the real thing: a shipped workflow's tree grammar over the
/// vocabularies of both shipped models (SmolLM2's 49,152 tokens, Qwen2.5's 151,936). Masks
/// read back from the file equal those a fresh compile computes, entry by entry and at
/// every step of random walks through the grammar (every token's bit compared); the
/// runtime's compile hook reads the file; with the cache switched off nothing is written.
final class GrammarDiskCacheModelTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("grammar-cache-model-\(UUID().uuidString)").path
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private static let qwenPath = RuntimeFixtures.packageRoot.appendingPathComponent("models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf").path

    private func tokenizer(_ path: String) throws -> BPETokenizer {
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("No model at \(path); run `make setup` (or `scripts/setup.sh --qwen` for the Qwen model).")
            throw XCTSkip("model missing")
        }
        return try BPETokenizer(gguf: try GGUFFile(path: path))
    }

    private func mathSolverGrammar() throws -> Grammar {
        let workflow = try WorkflowLoader.loadValid(path: RuntimeFixtures.packageRoot.appendingPathComponent("Workflows/math-solver.yaml").path)
        return try TreeGrammarBuilder.grammar(for: try ReasoningTreeSpec(workflow: workflow)).grammar
    }

    func testMasksReadBackEqualAFreshCompileOverSmolLM2() throws {
        try checkRoundTrip(tokenizer: tokenizer(RuntimeFixtures.modelPath))
    }

    func testMasksReadBackEqualAFreshCompileOverQwen() throws {
        try checkRoundTrip(tokenizer: tokenizer(Self.qwenPath))
    }

    private func checkRoundTrip(tokenizer: BPETokenizer, file: StaticString = #filePath, line: UInt = #line) throws {
        let vocabulary = VocabularyCache(diskCache: nil).vocabulary(for: tokenizer)
        let grammar = try mathSolverGrammar()
        let cache = GrammarDiskCache(directory: folder)
        let fresh = try CompiledGrammar(grammar, vocabulary: vocabulary, diskCache: cache)
        XCTAssertFalse(fresh.masksReadFromDisk, file: file, line: line)
        let read = try CompiledGrammar(grammar, vocabulary: vocabulary, diskCache: cache)
        XCTAssertTrue(read.masksReadFromDisk, "the second compile reads the file", file: file, line: line)

        let freshEntries = fresh.cache.allEntries
        let readEntries = read.cache.allEntries
        // Stored as whole bitmasks and 32-bit numbers (the first format), the entries would
        // take this; each distinct mask once, as runs, takes a fraction.
        let wholeBytes = freshEntries.reduce(0) { total, stored in
            total + 4 * (5 + stored.key.returns.count + stored.entry.acceptedMask.count + stored.entry.acceptedIDs.count + stored.entry.uncertain.count)
        }
        let fileBytes = try FileManager.default.contentsOfDirectory(atPath: folder).reduce(0) { total, name in
            total + ((try FileManager.default.attributesOfItem(atPath: folder + "/" + name)[.size] as? Int) ?? 0)
        }
        XCTAssertLessThan(fileBytes * 4, wholeBytes, "the file is a fraction of the whole bitmasks", file: file, line: line)
        XCTAssertEqual(readEntries.count, freshEntries.count, file: file, line: line)
        for (stored, computed) in zip(readEntries, freshEntries) {
            XCTAssertEqual(stored.key, computed.key, file: file, line: line)
            XCTAssertEqual(stored.entry.acceptedMask, computed.entry.acceptedMask, "\(computed.key)", file: file, line: line)
            XCTAssertEqual(stored.entry.acceptedIDs, computed.entry.acceptedIDs, "\(computed.key)", file: file, line: line)
            XCTAssertEqual(stored.entry.uncertain, computed.entry.uncertain, "\(computed.key)", file: file, line: line)
        }

        // Whole masks (every token's bit) at each matcher state of random walks; the fresh
        // compile computes any position its fill left on first use, the read one likewise.
        var steps = 0
        for seed in 1...3 {
            steps += try XCTUnwrap(walkComparingMasks(read, fresh, seed: UInt64(seed), file: file, line: line))
        }
        XCTAssertGreaterThan(steps, 100, "the walks visited states", file: file, line: line)
    }

    /// Samples allowed tokens at random from `a`'s masks for up to 200 steps, checking at
    /// each that `b` gives the same mask and accepts the same token. Returns the steps taken.
    private func walkComparingMasks(_ a: CompiledGrammar, _ b: CompiledGrammar, seed: UInt64,
                                    file: StaticString, line: UInt) -> Int? {
        var first = GrammarMatcher(a)
        var second = GrammarMatcher(b)
        var random = seed &* 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            random ^= random << 13; random ^= random >> 7; random ^= random << 17
            return random
        }
        for step in 0..<200 {
            if first.pendingHole != nil {
                let result = Array(#"{"ok":true}"#.utf8)
                guard first.fillHole(with: result), second.fillHole(with: result) else {
                    XCTFail("hole not filled at step \(step)", file: file, line: line)
                    return nil
                }
            }
            let maskA = first.nextTokenMask()
            let maskB = second.nextTokenMask()
            guard maskA == maskB else {
                XCTFail("masks differ at step \(step) (seed \(seed))", file: file, line: line)
                return nil
            }
            // The allowed ordinary tokens in id order, counted a word at a time; the pick is
            // the one at a random index among them.
            var allowed = maskA
            for id in a.vocabulary.specialTokenIDs { allowed[id >> 5] &= ~(UInt32(1) << UInt32(id & 31)) }
            let allowedCount = allowed.reduce(0) { $0 + $1.nonzeroBitCount }
            if allowedCount == 0 { return step }
            var index = Int(next() % UInt64(allowedCount))
            var token = -1
            for (word, bits) in allowed.enumerated() {
                guard index < bits.nonzeroBitCount else {
                    index -= bits.nonzeroBitCount
                    continue
                }
                var rest = bits
                for _ in 0..<index { rest &= rest - 1 }
                token = word * 32 + rest.trailingZeroBitCount
                break
            }
            guard first.acceptToken(token), second.acceptToken(token) else {
                XCTFail("token \(token) allowed but refused at step \(step)", file: file, line: line)
                return nil
            }
        }
        return 200
    }

    /// The sorted tables built with `memcmp` equal a plain sort of the real vocabularies.
    func testVocabularyTablesEqualAPlainSortForBothModels() throws {
        for path in [RuntimeFixtures.modelPath, Self.qwenPath] {
            let vocabulary = VocabularyCache(diskCache: nil).vocabulary(for: try tokenizer(path))
            let tokens = vocabulary.tokens
            let ordinary = tokens.indices.filter { !vocabulary.specialTokenIDs.contains($0) && !tokens[$0].isEmpty }
            let sorted = ordinary.sorted { tokens[$0].lexicographicallyPrecedes(tokens[$1]) || (tokens[$0] == tokens[$1] && $0 < $1) }
            XCTAssertEqual(vocabulary.sortedIDs, sorted.map { Int32($0) }, path)
            XCTAssertEqual(vocabulary.sortedBytes, sorted.flatMap { tokens[$0] }, path)
            XCTAssertEqual(vocabulary.longestToken, sorted.map { tokens[$0].count }.max(), path)
            for byte in [0, 34, 65, 123, 255, 256] {
                XCTAssertEqual(vocabulary.firstByteStart[byte], sorted.firstIndex { Int(tokens[$0][0]) >= byte } ?? sorted.count, "\(path) byte \(byte)")
            }
        }
    }

    /// The runtime's compile hook keeps masks on disk where the environment says, and
    /// writes nothing when `ARBOR_GRAMMAR_CACHE=off`.
    func testTheRuntimeHookReadsTheFileAndWritesNothingWhenOff() throws {
        let tokenizer = try tokenizer(RuntimeFixtures.modelPath)
        let grammar = try mathSolverGrammar()
        let off = VocabularyCache(diskCache: GrammarDiskCache.standard(environment: ["ARBOR_CACHE_DIR": folder, "ARBOR_GRAMMAR_CACHE": "off"]))
        XCTAssertFalse(try off.compiled(grammar, for: tokenizer).masksReadFromDisk)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder), "a disabled cache creates no folder")

        let on = VocabularyCache(diskCache: GrammarDiskCache.standard(environment: ["ARBOR_CACHE_DIR": folder]))
        XCTAssertFalse(try on.compiled(grammar, for: tokenizer).masksReadFromDisk)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder + "/grammars")
        XCTAssertEqual(files.filter { $0.hasSuffix(".masks") }.count, 1, "\(files)")
        // Another process (a fresh cache in memory) reads the file.
        let next = VocabularyCache(diskCache: GrammarDiskCache.standard(environment: ["ARBOR_CACHE_DIR": folder]))
        XCTAssertTrue(try next.compiled(grammar, for: tokenizer).masksReadFromDisk)
    }
}
