import ArborModel
import XCTest

final class SamplerTests: XCTestCase {
    func withLogits(_ values: [Float], _ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        var copy = values
        copy.withUnsafeMutableBufferPointer { body($0) }
    }

    func testGreedyPicksTheLargestAndTheMaskOverridesIt() {
        let logits: [Float] = [0.1, 3, 2.5, -1, 2.9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]
        var sampler = Sampler(settings: .greedy)
        withLogits(logits) { XCTAssertEqual(sampler.sample($0), 33) }
        var mask = TokenMask(vocabularySize: logits.count)
        mask.forbid(33)
        mask.forbid(1)
        XCTAssertFalse(mask.allows(33))
        XCTAssertEqual(mask.words.count, 2, "32 tokens per word")
        withLogits(logits) { XCTAssertEqual(sampler.sample($0, mask: mask), 4) }
        let none = TokenMask(vocabularySize: logits.count, allowAll: false)
        withLogits(logits) { XCTAssertEqual(sampler.sample($0, mask: none), -1) }
    }

    /// The word-at-a-time mask forbids exactly the tokens whose bit is clear: all-forbidden,
    /// all-allowed and mixed words, a vocabulary that ends inside a word, and logits shorter
    /// than the vocabulary.
    func testMaskApplyForbidsExactlyTheClearBits() {
        var random = SystemRandomNumberGenerator()
        for vocabularySize in [1, 31, 32, 33, 100, 1000, 49_152] {
            for density in [0.0, 0.01, 0.5, 0.99, 1.0] {
                var mask = TokenMask(vocabularySize: vocabularySize, allowAll: false)
                for w in mask.words.indices where Int.random(in: 0..<4, using: &random) == 0 {
                    mask.words[w] = [0, ~0, UInt32.random(in: 0...UInt32.max, using: &random)][Int.random(in: 0..<3, using: &random)]
                }
                for t in 0..<vocabularySize where Double.random(in: 0..<1, using: &random) < density { mask.allow(Int32(t)) }
                for logitCount in [vocabularySize, max(0, vocabularySize - 7)] {
                    let logits = (0..<logitCount).map { Float($0 % 13) - 6 }
                    withLogits(logits) { applied in
                        mask.apply(to: applied)
                        for t in 0..<logitCount {
                            let expected = mask.allows(Int32(t)) ? logits[t] : -.infinity
                            XCTAssertEqual(applied[t], expected, "token \(t) of \(vocabularySize), density \(density)")
                        }
                    }
                }
            }
        }
    }

    func testSeededSamplingIsReproducibleAndCopiesFork() {
        let logits = (0..<50).map { Float($0 % 7) * 0.3 }
        var a = Sampler(settings: SamplerSettings(temperature: 1, topK: 0, topP: 1, minP: 0, seed: 1234))
        var drawsA: [Int32] = []
        for _ in 0..<20 { withLogits(logits) { drawsA.append(a.sample($0)) } }
        var b = Sampler(settings: SamplerSettings(temperature: 1, topK: 0, topP: 1, minP: 0, seed: 1234))
        var drawsB: [Int32] = []
        for _ in 0..<20 { withLogits(logits) { drawsB.append(b.sample($0)) } }
        XCTAssertEqual(drawsA, drawsB)
        XCTAssertGreaterThan(Set(drawsA).count, 3, "temperature 1 spreads the draws")
        var fork = a
        var x: [Int32] = [], y: [Int32] = []
        for _ in 0..<5 {
            withLogits(logits) { x.append(a.sample($0)) }
            withLogits(logits) { y.append(fork.sample($0)) }
        }
        XCTAssertEqual(x, y)
    }

    func testXoshiroStreamIsPinned() {
        // xoshiro256** seeded by splitmix64(0); values computed independently (Python).
        var rng = Xoshiro256(seed: 0)
        XCTAssertEqual([rng.next(), rng.next(), rng.next()], XoshiroReference.seed0)
    }

    func testTopKTopPAndMinPRestrictTheCandidates() {
        let logits: [Float] = [5, 4.9, 1, 0.5, 0.2, 0.1]
        for seed in 0..<30 {
            var k = Sampler(settings: SamplerSettings(temperature: 1, topK: 2, topP: 1, minP: 0, seed: UInt64(seed)))
            withLogits(logits) { XCTAssertLessThan(k.sample($0), 2) }
            var p = Sampler(settings: SamplerSettings(temperature: 1, topK: 0, topP: 0.5, minP: 0, seed: UInt64(seed)))
            withLogits(logits) { XCTAssertLessThan(p.sample($0), 2) }
            var m = Sampler(settings: SamplerSettings(temperature: 1, topK: 0, topP: 1, minP: 0.5, seed: UInt64(seed)))
            withLogits(logits) { XCTAssertLessThan(m.sample($0), 2) }
        }
    }

    func testRepetitionPenaltyDemotesRecentTokens() {
        var s = Sampler(settings: SamplerSettings(temperature: 0, topK: 1, topP: 1, minP: 0, repetitionPenalty: 2))
        withLogits([1, 3, 2.5]) { XCTAssertEqual(s.sample($0, history: [1]), 2) }
        withLogits([1, 3, 2.5]) { XCTAssertEqual(s.sample($0, history: [0]), 1) }
    }
}
