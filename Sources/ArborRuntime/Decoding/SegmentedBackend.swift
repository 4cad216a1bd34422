import ArborGrammar
import ArborModel

/// A backend that decodes whole segments at once — a serving engine given the grammar's
/// residual from the decoder's state (``GrammarMatcher/residualGBNF()``) — and hands the
/// decoder its tokens one per step.
///
/// Before each sampled step the decoder calls ``prepareNextToken(grammar:sampling:tokensLeft:)``;
/// the backend then makes ``DecodingBackend/logits`` allow exactly its next token, so the
/// grammar mask, the sampler and every consumer of the steps work as for the in-process
/// engine. A token the decoder feeds that differs from the one proposed (forced text
/// tokenised differently, a tool result, a pruned sequence) drops the rest of the segment,
/// and the next step asks again from there.
public protocol SegmentedBackend: DecodingBackend {
    /// Makes `logits` hold a score only for the next token the server writes after the
    /// sequence so far under `grammar`'s residual, asking the server for a segment of at most
    /// `tokensLeft` tokens when none is pending.
    func prepareNextToken(grammar: GrammarMatcher, sampling: SamplerSettings, tokensLeft: Int) throws
}

/// A failure that may leave the run resumable as it is (a server that is down): then the
/// run stops `paused`, with everything decoded so far committed, instead of `failed`.
public protocol RunPausingError: Error {
    /// Whether this failure pauses the run (false: it fails).
    var pausesRun: Bool { get }
}
