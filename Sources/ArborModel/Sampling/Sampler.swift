import Foundation

/// How to choose the next token from the logits.
///
/// The chain, as in llama.cpp: token mask → repetition penalty → (greedy when
/// `temperature <= 0`) → top-k → temperature → softmax → top-p → min-p → draw.
public struct SamplerSettings: Codable, Sendable, Equatable {
    public var temperature: Float
    /// Keep the k most likely tokens (0 = all).
    public var topK: Int
    /// Keep the smallest set whose probability reaches p (1 = all).
    public var topP: Float
    /// Drop tokens less likely than minP times the most likely one (0 = none).
    public var minP: Float
    /// Divide positive (multiply negative) logits of recent tokens by this (1 = off).
    public var repetitionPenalty: Float
    /// How many recent tokens the penalty looks at.
    public var repetitionWindow: Int
    public var seed: UInt64

    enum CodingKeys: String, CodingKey {
        case temperature, topK = "top_k", topP = "top_p", minP = "min_p"
        case repetitionPenalty = "repetition_penalty", repetitionWindow = "repetition_window", seed
    }

    public init(temperature: Float = 0.8, topK: Int = 40, topP: Float = 0.95, minP: Float = 0.05,
                repetitionPenalty: Float = 1, repetitionWindow: Int = 64, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.repetitionWindow = repetitionWindow
        self.seed = seed
    }

    /// Always the most likely token.
    public static let greedy = SamplerSettings(temperature: 0, topK: 1, topP: 1, minP: 0)
}

/// Chooses tokens from logits. A value type: copying a sampler copies its random state, so
/// a branch or a resumed run draws the same tokens.
///
/// ```swift
/// var sampler = Sampler(settings: SamplerSettings(temperature: 0.7, seed: 1))
/// let token = sampler.sample(model.logits, mask: grammarMask, history: generated)
/// ```
public struct Sampler: Sendable, Equatable {
    public var settings: SamplerSettings
    public var rng: Xoshiro256

    public init(settings: SamplerSettings) {
        self.settings = settings
        rng = Xoshiro256(seed: settings.seed)
    }

    /// Picks a token. Modifies `logits` in place (mask and penalty). Returns -1 only when
    /// the mask allows no token.
    public mutating func sample(_ logits: UnsafeMutableBufferPointer<Float>, mask: TokenMask? = nil,
                                history: [Int32] = []) -> Int32 {
        mask?.apply(to: logits)
        if settings.repetitionPenalty != 1 {
            let penalty = settings.repetitionPenalty
            var seen = Set<Int32>()
            for t in history.suffix(settings.repetitionWindow) where t >= 0 && Int(t) < logits.count && seen.insert(t).inserted {
                let v = logits[Int(t)]
                logits[Int(t)] = v > 0 ? v / penalty : v * penalty
            }
        }
        if settings.temperature <= 0 || settings.topK == 1 { return Self.argmax(logits) }

        var candidates = (0..<logits.count).filter { logits[$0] > -.infinity }
        if candidates.isEmpty { return -1 }
        candidates.sort { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        if settings.topK > 0 && candidates.count > settings.topK { candidates.removeLast(candidates.count - settings.topK) }

        let maxLogit = Double(logits[candidates[0]])
        let temperature = Double(settings.temperature)
        var probs = candidates.map { exp((Double(logits[$0]) - maxLogit) / temperature) }
        let total = probs.reduce(0, +)
        for i in probs.indices { probs[i] /= total }

        var keep = probs.count
        if settings.topP < 1 {
            var cumulative = 0.0
            for i in probs.indices {
                cumulative += probs[i]
                if cumulative >= Double(settings.topP) { keep = i + 1; break }
            }
        }
        if settings.minP > 0 {
            let floor = probs[0] * Double(settings.minP)
            keep = min(keep, max(1, probs.prefix(keep).filter { $0 >= floor }.count))
        }
        let kept = probs.prefix(keep)
        var r = rng.nextUnit() * kept.reduce(0, +)
        for (i, p) in kept.enumerated() {
            r -= p
            if r < 0 { return Int32(candidates[i]) }
        }
        return Int32(candidates[keep - 1])
    }

    /// Index of the largest logit (the first on ties), or -1 when all are -infinity.
    public static func argmax(_ logits: UnsafeMutableBufferPointer<Float>) -> Int32 {
        var best = -1
        var bestValue = -Float.infinity
        for i in 0..<logits.count where logits[i] > bestValue {
            bestValue = logits[i]
            best = i
        }
        return Int32(best)
    }
}
