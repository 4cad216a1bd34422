import ArborGrammar

/// How a round ends at its token limit (`limits.max_tokens`, `--max-tokens`) with a valid
/// tree instead of failing with ``RuntimeError/incomplete(maxTokens:text:)``.
///
/// Near the limit the round closes its open texts, tasks and lists the shortest way the
/// grammar allows, up to the start of its final value (`answer`, or `summary` in a round that
/// ends with one). The model then writes that value itself, under the grammar, with the
/// tokens held in reserve. Only when those run out is the value finished the shortest way
/// too. A round closed like this says so (``RunMetrics/closedAtTokenLimit``), because its
/// answer is not what the model would have written with room to finish.
///
/// The reserve: closing starts when the tokens left are at most the tokens of the grammar's
/// shortest completion of the whole document plus ``answerMargin``. That completion holds the
/// closing text, the final value's shortest form (for `output: {result: str}`,
/// `{"result":""}`) and the root's closing brace, and is counted as the tokenizer encodes it.
/// The final value is finished by force when the tokens left are at most the tokens of its
/// shortest completion plus ``finalMargin``. In a workflow with tools, closing starts
/// ``toolCallAllowance`` tokens earlier: once the model has begun a tool call, no closing is
/// possible until the tool's result is in, so a call begun near the limit needs room to end.
/// A call whose parameters outrun that room is finished by force (``mustFinishToolCall``):
/// its parameters end the shortest way the grammar allows, the tool runs on them (and may
/// answer with an error), and the tree then closes as above.
///
/// The closing text is at most ``longestClosing`` bytes. A grammar whose shortest completion
/// is longer is not closed by the limit: a round that must go on (an open-ended `reasoning`
/// list that takes hundreds of tasks more) ends with its summary at its budget instead. Its
/// tool calls are not ended by force either, since no closing could follow them; and a call
/// ended by force never keeps a round from switching to its summary.
///
/// Resuming: each decision depends only on the tokens written in the round and the grammar
/// state. Within ``window`` tokens of the limit it is taken before every token, and forced
/// text goes one token per step there, so a replay of the token log takes the same decisions
/// at the same tokens and a resumed run goes on exactly as an uninterrupted one.
///
/// A tree typed in the `steps` or `prose` syntax has a simpler rule, ``AnswerReserveClosing``.
///
/// ```swift
/// let closing = TokenLimitClosing(maxTokens: 300, grammar: compiled, hasTools: false)
/// if closing.mustClose(written: 250, neededTokens: { 20 }) { /* force the closing text */ }
/// ```
struct TokenLimitClosing: TokenLimitRule {
    /// The tokens a round may write, generated and forced (tool results do not count).
    let maxTokens: Int
    /// Tokens the model may spend on the final value beyond the value's shortest form: 64
    /// (a sentence of text, or a few fields), or a quarter of the limit when that is less, so
    /// that a small limit still leaves room to reason.
    let answerMargin: Int
    /// How many tokens before the limit the decisions are taken before every token: the
    /// margin, the grammar's shortest whole document in bytes (never fewer than its tokens)
    /// and 64 more for a deeper tree's longer closing text. A closing text longer still starts
    /// at the window's first token, and if it does not fit the round fails as before.
    let window: Int
    /// Room kept for a tool call the model may begin before the closing: the answer margin
    /// again, or nothing when the workflow has no tools.
    let toolCallAllowance: Int

    /// Tokens kept when the final value is finished by force: one sampled token can open
    /// structure (a nested object) that the completion must then close too.
    static let finalMargin = 8

    /// The longest closing text in bytes (the grammar's shortest completion, asked before
    /// every token near the limit, is not computed past it).
    static let longestClosing = 4096

    init(maxTokens: Int, grammar: CompiledGrammar, hasTools: Bool) {
        self.maxTokens = maxTokens
        answerMargin = min(64, maxTokens / 4)
        toolCallAllowance = hasTools ? answerMargin : 0
        let shortestDocument = GrammarMatcher(grammar).shortestCompletionLength ?? 0
        window = answerMargin + toolCallAllowance + shortestDocument + 64
    }

    /// A round that reaches its limit unclosed fails: the tree is never finished past it.
    var finishesPastLimit: Bool { false }

    /// The most forced tokens one step may take: one inside the window, else as many as lead
    /// up to the window's start, so that every token inside it is a step of its own.
    func forcedStepLimit(written: Int) -> Int {
        isInWindow(written: written) ? 1 : maxTokens - window - written
    }

    /// Finishes the final value once it is begun; before it, starts closing (the tree's
    /// phases only move forward, and a closing round stays closing).
    func phase(after phase: TokenLimit.Phase, written: Int, isInFinalValue: Bool, neededTokens: () -> Int?) -> TokenLimit.Phase {
        if isInFinalValue { return mustFinish(written: written, neededTokens: neededTokens) ? .finishing : phase }
        return phase == .writing && mustClose(written: written, neededTokens: neededTokens) ? .closing : phase
    }

    /// Within the window: a call's numbers are asked only there.
    func mayEndToolCall(written: Int) -> Bool { isInWindow(written: written) }

    /// Whether a round that has not reached its final value must start closing now, given
    /// the tokens of the shortest completion (`neededTokens`, asked only within the window;
    /// nil when no completion avoids a hole such as a tool result).
    func mustClose(written: Int, neededTokens: () -> Int?) -> Bool {
        guard isInWindow(written: written), let needed = neededTokens(), needed > 0 else { return false }
        return maxTokens - written <= needed + answerMargin + toolCallAllowance
    }

    /// Whether a round inside a tool call's parameters must end them the shortest way now:
    /// when the tokens left are at most the tokens to the call's result (`tokensToResult`)
    /// plus the bytes of the shortest completion through it (`bytesThroughCall`, the result
    /// itself not counted; a token holds at least one byte, so the closing after the call
    /// always fits) and ``finalMargin``. Never when that completion is longer than
    /// ``longestClosing``: no closing would follow the call.
    func mustFinishToolCall(written: Int, bytesThroughCall: Int, tokensToResult: () -> Int?) -> Bool {
        guard isInWindow(written: written), bytesThroughCall <= Self.longestClosing,
              let toResult = tokensToResult() else { return false }
        return maxTokens - written <= toResult + bytesThroughCall + Self.finalMargin
    }

    /// Whether a round writing its final value must finish it the shortest way now.
    func mustFinish(written: Int, neededTokens: () -> Int?) -> Bool {
        guard isInWindow(written: written), let needed = neededTokens(), needed > 0 else { return false }
        return maxTokens - written <= needed + Self.finalMargin
    }
}
