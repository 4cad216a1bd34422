import ArborGrammar
import ArborModel
@testable import ArborRuntime
import ArborSchema
import XCTest

final class VocabularyCacheTests: XCTestCase {
    private static let qwenPath = RuntimeFixtures.packageRoot.appendingPathComponent("models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf").path

    /// Tokenizers are keyed by what their vocabulary holds, not by object identity: a second
    /// tokenizer of the same model (a second run, a resume) finds the first one's vocabulary.
    func testTwoTokenizersOfOneModelShareOneVocabulary() throws {
        let cache = VocabularyCache(diskCache: nil)
        let first = try RuntimeFixtures.loadModel().tokenizer
        let second = try RuntimeFixtures.loadModel().tokenizer
        XCTAssertFalse(first === second)
        let a = cache.vocabulary(for: first)
        let b = cache.vocabulary(for: second)
        XCTAssertEqual(cache.vocabularyCount, 1)
        XCTAssertEqual(a.tokens, b.tokens)
    }

    /// Another model's tokenizer gets its own vocabulary, also when it comes after the first
    /// tokenizer was freed (whose object identity it may then reuse).
    func testAnotherModelGetsItsOwnVocabulary() throws {
        guard FileManager.default.fileExists(atPath: Self.qwenPath) else {
            XCTFail("No model at \(Self.qwenPath); run `scripts/setup.sh --qwen`.")
            throw XCTSkip("model missing")
        }
        let cache = VocabularyCache(diskCache: nil)
        var smol: BPETokenizer? = try RuntimeFixtures.loadModel().tokenizer
        let smolTokens = cache.vocabulary(for: smol!).tokens.count
        smol = nil
        let qwen = try BPETokenizer(gguf: try GGUFFile(path: Self.qwenPath))
        let qwenVocabulary = cache.vocabulary(for: qwen)
        XCTAssertEqual(cache.vocabularyCount, 2)
        XCTAssertEqual(qwenVocabulary.tokens.count, qwen.vocabularySize)
        XCTAssertNotEqual(qwenVocabulary.tokens.count, smolTokens)
    }

    /// The cache holds no tokenizer: a run's tokenizer goes when the run's model goes.
    func testTheCacheKeepsNoTokenizerAlive() throws {
        let cache = VocabularyCache(diskCache: nil)
        var tokenizer: BPETokenizer? = try RuntimeFixtures.loadModel().tokenizer
        weak let probe = tokenizer
        _ = try cache.compiled(try SchemaGrammarBuilder.grammar(for: SchemaDocument(jsonText: #"{"type":"integer"}"#)).grammar, for: tokenizer!)
        tokenizer = nil
        XCTAssertNil(probe)
    }
}
