import ArborGrammar
import ArborModel

/// Per-token mask timings of one or more decodings, split into first visits (the mask
/// needed a grammar position the cache had not seen, so its token sets were computed) and
/// cached steps (every position came from the cache).
///
/// It measures; it asserts nothing. `arbor bench grammar` prints its summaries.
///
/// ```swift
/// var timings = MaskTimings()
/// mask.withUnsafeMutableBufferPointer { timings.fill(&matcher, into: $0.baseAddress!) }
/// print(timings.summary(of: .all))
/// ```
public struct MaskTimings: Sendable {
    /// Which masks a summary covers.
    public enum Kind: String, Sendable, CaseIterable {
        case all, firstVisit = "first-visit", cached
    }

    /// Percentiles of one kind of mask, in microseconds.
    public struct Summary: Sendable, CustomStringConvertible {
        public var count: Int
        public var p50Microseconds: Double
        public var p99Microseconds: Double
        public var meanMicroseconds: Double
        public var maximumMicroseconds: Double

        public var description: String {
            func format(_ value: Double) -> String { String(Double(Int(value * 10)) / 10) }
            return "\(count) masks: p50 \(format(p50Microseconds)) µs, p99 \(format(p99Microseconds)) µs, mean \(format(meanMicroseconds)) µs, max \(format(maximumMicroseconds)) µs"
        }
    }

    public private(set) var firstVisitMicroseconds: [Double] = []
    public private(set) var cachedMicroseconds: [Double] = []

    public init() {}

    /// Computes `matcher`'s next-token mask into `mask` (see
    /// ``GrammarMatcher/fillNextTokenMask(into:)``) and records how long it took.
    public mutating func fill(_ matcher: inout GrammarMatcher, into mask: UnsafeMutablePointer<UInt32>) {
        let cachedBefore = matcher.compiled.cachedPositionCount
        let clock = ContinuousClock()
        let elapsed = clock.measure { matcher.fillNextTokenMask(into: mask) }
        let microseconds = elapsed.inSeconds * 1e6
        if matcher.compiled.cachedPositionCount > cachedBefore {
            firstVisitMicroseconds.append(microseconds)
        } else {
            cachedMicroseconds.append(microseconds)
        }
    }

    /// Adds another run's timings.
    public mutating func append(_ other: MaskTimings) {
        firstVisitMicroseconds += other.firstVisitMicroseconds
        cachedMicroseconds += other.cachedMicroseconds
    }

    /// The masks of `kind` summarised (all zero when there are none).
    public func summary(of kind: Kind) -> Summary {
        let values: [Double]
        switch kind {
        case .all: values = firstVisitMicroseconds + cachedMicroseconds
        case .firstVisit: values = firstVisitMicroseconds
        case .cached: values = cachedMicroseconds
        }
        let sorted = values.sorted()
        func percentile(_ fraction: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
        }
        return Summary(count: sorted.count, p50Microseconds: percentile(0.5), p99Microseconds: percentile(0.99),
                       meanMicroseconds: sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count),
                       maximumMicroseconds: sorted.last ?? 0)
    }
}
