/// When a round nearing its token limit starts closing its document and when it finishes
/// the final value by force: what ``TokenLimit`` asks before every token near the limit.
///
/// Two rules: the JSON tree's window rule (``TokenLimitClosing``), which reads the grammar's
/// shortest completion and may end a begun tool call, and the `steps` / `prose` answer
/// reserve (``AnswerReserveClosing``), which counts tokens only. Both decide from the tokens
/// written in the round and the grammar state alone, so a replay decides alike.
///
/// ```swift
/// var limit = TokenLimit(AnswerReserveClosing(maxTokens: 300, answerReserve: 48))
/// limit.decide(written: 260, isInFinalValue: false, neededTokens: { nil })
/// limit.phase   // .closing
/// ```
protocol TokenLimitRule: Sendable {
    /// The tokens a round may write, generated and forced (tool results do not count).
    var maxTokens: Int { get }
    /// How many tokens before the limit the decisions are taken before every token (and a
    /// replay goes token by token).
    var window: Int { get }
    /// Whether the text is finished past the limit rather than failing there. Such a rule
    /// leaves the end to the grammar: reaching its closing phase is no closing by itself, and
    /// a closing that must wait for a tool's result lets the model write on.
    var finishesPastLimit: Bool { get }
    /// The most forced tokens one step may take.
    func forcedStepLimit(written: Int) -> Int
    /// The phase the round moves to before the next token, from `phase` (never `.finishing`):
    /// `neededTokens` are the tokens of the grammar's shortest completion, asked only near the limit.
    func phase(after phase: TokenLimit.Phase, written: Int, isInFinalValue: Bool, neededTokens: () -> Int?) -> TokenLimit.Phase
    /// Whether the rule may end a begun tool call now: only then are the call's numbers
    /// (costly grammar walks) worked out for ``mustFinishToolCall(written:bytesThroughCall:tokensToResult:)``.
    func mayEndToolCall(written: Int) -> Bool
    /// Whether a round inside a tool call's parameters must end them the shortest way now.
    func mustFinishToolCall(written: Int, bytesThroughCall: Int, tokensToResult: () -> Int?) -> Bool
}

extension TokenLimitRule {
    /// Whether the round stands within ``window`` tokens of the limit.
    func isInWindow(written: Int) -> Bool { maxTokens - written <= window }
}

/// The `steps` and `prose` syntaxes' token limit: closing (up to `Answer:`) starts
/// ``answerReserve`` tokens before the limit, and at the limit the text is finished the
/// shortest way, past the limit if it must, whether the answer is begun or not. A call begun
/// in the reserve ends as the model writes it: no closing is possible before its result.
///
/// These syntaxes decide nothing from the grammar's completions, so forced text may go in
/// one step, and the reserve is the window a replay goes through token by token.
struct AnswerReserveClosing: TokenLimitRule {
    let maxTokens: Int
    /// The tokens kept for the closing text and the answer.
    let answerReserve: Int

    var window: Int { answerReserve }
    var finishesPastLimit: Bool { true }

    func forcedStepLimit(written: Int) -> Int { maxTokens - written }

    func phase(after phase: TokenLimit.Phase, written: Int, isInFinalValue: Bool, neededTokens: () -> Int?) -> TokenLimit.Phase {
        if written >= maxTokens { return .finishing }
        return maxTokens - written <= answerReserve ? .closing : phase
    }

    func mayEndToolCall(written: Int) -> Bool { false }

    func mustFinishToolCall(written: Int, bytesThroughCall: Int, tokensToResult: () -> Int?) -> Bool { false }
}
