import ArborModel
import Foundation

/// What applying a token mask to the logits costs per token: ``TokenMask/apply(to:)``, which
/// works a word at a time, against the token-at-a-time loop it replaced, timed on the same
/// masks (those a decoding met) in the same run. It measures; it asserts nothing.
///
/// ```swift
/// let timing = MaskApplyTiming.measure(masks, vocabularySize: 49_152)
/// print(timing.wordsMicroseconds, timing.perTokenMicroseconds)
/// ```
public struct MaskApplyTiming: Sendable {
    /// Mean microseconds per mask, word at a time.
    public var wordsMicroseconds: Double
    /// Mean microseconds per mask, token at a time (the baseline).
    public var perTokenMicroseconds: Double

    /// Times both ways over `masks`, `repetitions` passes each, alternating.
    public static func measure(_ masks: [TokenMask], vocabularySize: Int, repetitions: Int = 5) -> MaskApplyTiming {
        guard !masks.isEmpty else { return MaskApplyTiming(wordsMicroseconds: 0, perTokenMicroseconds: 0) }
        var logits = [Float](repeating: 0, count: vocabularySize)
        var words = Duration.zero
        var perToken = Duration.zero
        let clock = ContinuousClock()
        logits.withUnsafeMutableBufferPointer { buffer in
            for _ in 0..<repetitions {
                for mask in masks {
                    buffer.update(repeating: 0)
                    words += clock.measure { mask.apply(to: buffer) }
                    buffer.update(repeating: 0)
                    perToken += clock.measure { applyTokenByToken(mask, to: buffer) }
                }
            }
        }
        let count = Double(masks.count * repetitions)
        return MaskApplyTiming(wordsMicroseconds: words / .microseconds(1) / count,
                               perTokenMicroseconds: perToken / .microseconds(1) / count)
    }

    /// The baseline: every bit of every word not all set is tested on its own.
    private static func applyTokenByToken(_ mask: TokenMask, to logits: UnsafeMutableBufferPointer<Float>) {
        let n = min(logits.count, mask.vocabularySize)
        for w in 0..<mask.words.count where mask.words[w] != ~0 {
            let bits = mask.words[w]
            let base = w * 32
            for b in 0..<32 where base + b < n && bits & (1 << UInt32(b)) == 0 {
                logits[base + b] = -.infinity
            }
        }
    }
}
