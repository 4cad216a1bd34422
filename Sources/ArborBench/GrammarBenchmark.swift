import ArborGrammar
import Foundation

/// A micro benchmark of mask computation: drives a matcher through a known text and times
/// every ``GrammarMatcher/fillNextTokenMask(into:)``. It measures; it asserts nothing.
///
/// `arbor bench grammar` reports its figures. The text is split into what the model
/// writes and what the runtime inserts at holes; the written parts are tokenised greedily
/// with the longest token that both continues the text and is allowed by the mask, which
/// also checks that the mask allows the text the grammar accepts.
///
/// ```swift
/// let report = GrammarBenchmark.measureMasks(compiled, segments: [
///     .generated(#"{"reasoning":[{"thought":"look it up","tooluse":{"tool_name":"clock","parameters":{},"tool_result":"#),
///     .inserted(#""12:00""#),
///     .generated(#"},"conclusion":"noon"}],"answer":"noon"}"#),
/// ])
/// print(report.p50Microseconds, report.p99Microseconds)
/// ```
public enum GrammarBenchmark {
    /// A piece of the benchmark text.
    public enum Segment: Sendable {
        /// Text the model writes, token by token under the mask.
        case generated(String)
        /// Text the runtime inserts at a hole.
        case inserted(String)
    }

    /// Mask timings over one text.
    public struct Report: Sendable, CustomStringConvertible {
        /// Masks computed (one per generated token, plus the final one allowing the end token).
        public var masks: Int
        public var p50Microseconds: Double
        public var p99Microseconds: Double
        public var meanMicroseconds: Double
        public var maximumMicroseconds: Double
        /// Whether the whole text was written under the masks and ended complete.
        public var completed: Bool
        /// The same timings split into first visits and cached steps.
        public var timings: MaskTimings

        public var description: String {
            func format(_ value: Double) -> String { String(Double(Int(value * 10)) / 10) }
            return "\(masks) masks: p50 \(format(p50Microseconds)) µs, p99 \(format(p99Microseconds)) µs, mean \(format(meanMicroseconds)) µs, max \(format(maximumMicroseconds)) µs\(completed ? "" : " (text not completed)")"
        }
    }

    public static func measureMasks(_ compiled: CompiledGrammar, segments: [Segment]) -> Report {
        let vocabulary = compiled.vocabulary
        var idByBytes: [[UInt8]: Int] = [:]
        var longest = 1
        for (id, bytes) in vocabulary.tokens.enumerated() where !bytes.isEmpty && !vocabulary.specialTokenIDs.contains(id) {
            if idByBytes[bytes] == nil { idByBytes[bytes] = id }
            longest = max(longest, bytes.count)
        }
        var matcher = GrammarMatcher(compiled)
        var mask = [UInt32](repeating: 0, count: vocabulary.maskWordCount)
        var timings = MaskTimings()
        func timedMask() {
            mask.withUnsafeMutableBufferPointer { timings.fill(&matcher, into: $0.baseAddress!) }
        }
        func allowed(_ id: Int) -> Bool { mask[id >> 5] & (1 << UInt32(id & 31)) != 0 }

        var completed = true
        segments: for segment in segments {
            switch segment {
            case .inserted(let text):
                if !matcher.acceptText(Array(text.utf8)) { completed = false; break segments }
            case .generated(let text):
                let bytes = Array(text.utf8)
                var offset = 0
                while offset < bytes.count {
                    timedMask()
                    var chosen: Int?
                    for length in stride(from: min(longest, bytes.count - offset), through: 1, by: -1) {
                        if let id = idByBytes[Array(bytes[offset..<offset + length])], allowed(id) {
                            chosen = id
                            break
                        }
                    }
                    guard let id = chosen, matcher.acceptToken(id) else { completed = false; break segments }
                    offset += vocabulary.tokens[id].count
                }
            }
        }
        if completed {
            timedMask()
            completed = matcher.isComplete && vocabulary.endTokenIDs.contains(where: allowed)
        }
        let all = timings.summary(of: .all)
        return Report(masks: all.count, p50Microseconds: all.p50Microseconds, p99Microseconds: all.p99Microseconds,
                      meanMicroseconds: all.meanMicroseconds, maximumMicroseconds: all.maximumMicroseconds,
                      completed: completed, timings: timings)
    }
}
