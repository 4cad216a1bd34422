/// Where a token of a run came from; the recorder keeps it with every token, and a resume
/// replays each kind its own way.
public enum TokenKind: String, Codable, Sendable, CaseIterable {
    /// Part of the prompt (instructions, inputs, previous summary).
    case prompt
    /// Sampled by the model.
    case generated
    /// Written by the grammar without sampling (jump-forward, the token limit's closing).
    case forced
    /// Text of a tool's result inserted into the context.
    case toolResult
}
