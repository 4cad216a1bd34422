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
/// A tree typed in the `steps` or `prose` syntax has a simpler rule
/// (``init(maxTokens:answerReserve:)``): ``answerReserve`` tokens before the limit the text
/// closes up to `Answer:`, and at the limit whatever is left is finished the shortest way.
///
/// ```swift
/// let closing = TokenLimitClosing(maxTokens: 300, grammar: compiled, hasTools: false)
/// if closing.mustClose(written: 250, neededTokens: { 20 }) { /* force the closing text */ }
/// ```
struct TokenLimitClosing: Sendable {
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
    /// Steps and prose: the tokens kept for the closing text and the answer (nil: the tree's
    /// rule above).
    let answerReserve: Int?

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
        answerReserve = nil
    }

    /// The `steps` and `prose` syntaxes' rule: closing (up to `Answer:`) starts `answerReserve`
    /// tokens before the limit, and at the limit the text is finished the shortest way, past
    /// the limit if it must. A call begun in the reserve ends as the model writes it: no
    /// closing is possible before its result.
    init(maxTokens: Int, answerReserve: Int) {
        self.maxTokens = maxTokens
        self.answerReserve = answerReserve
        answerMargin = 0
        toolCallAllowance = 0
        window = answerReserve
    }

    /// Whether the text is finished past the limit rather than failing there (steps and prose).
    var finishesPastLimit: Bool { answerReserve != nil }

    /// Whether the round stands within ``window`` tokens of the limit.
    func isInWindow(written: Int) -> Bool { maxTokens - written <= window }

    /// The most forced tokens one step may take: one inside the window, else as many as lead
    /// up to the window's start, so that every token inside it is a step of its own.
    /// Steps and prose decide nothing from the grammar, so forced text may go in one step.
    func forcedStepLimit(written: Int) -> Int {
        if answerReserve != nil { return maxTokens - written }
        return isInWindow(written: written) ? 1 : maxTokens - window - written
    }

    /// Whether a round that has not reached its final value must start closing now, given
    /// the tokens of the shortest completion (`neededTokens`, asked only within the window;
    /// nil when no completion avoids a hole such as a tool result).
    func mustClose(written: Int, neededTokens: () -> Int?) -> Bool {
        if let answerReserve { return maxTokens - written <= answerReserve }
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
        if answerReserve != nil { return written >= maxTokens }
        guard isInWindow(written: written), let needed = neededTokens(), needed > 0 else { return false }
        return maxTokens - written <= needed + Self.finalMargin
    }
}

/// The token limit as a consumer of the decode steps: where a round stands with respect to
/// its limit. It only moves forward — writing, then closing the tree, then finishing the
/// final value — and each move sticks, so a replay that asks at the same tokens moves alike.
struct TokenLimit: Sendable {
    enum Phase: Sendable { case writing, closing, finishing }
    let rule: TokenLimitClosing
    private(set) var phase = Phase.writing
    /// The limit is ending a begun tool call's parameters the shortest way (it sticks, and
    /// forces text only while the round is inside a call).
    private(set) var finishingToolCall = false
    /// The limit has forced a token of its closing text.
    private(set) var forcedClosingText = false

    init(_ rule: TokenLimitClosing) { self.rule = rule }

    /// Whether the limit closed the round: its final value was written in the reserve, or cut
    /// short, or a tool call's parameters were. Steps and prose count as closed once the
    /// limit has forced text (reaching the reserve with the answer begun is no closing).
    var closed: Bool { forcedClosingText || rule.answerReserve == nil && (phase != .writing || finishingToolCall) }

    /// Whether the round ends as soon as its grammar is complete: a tree the limit closed.
    /// (Steps and prose end when the grammar allows nothing more.)
    var endsWhenComplete: Bool { rule.answerReserve == nil && closed }

    /// Whether the model writes on when no closing text can be forced yet: steps or prose
    /// closing inside a call, whose result must come first (else the round cannot end).
    var writesOnUntilClosable: Bool { rule.answerReserve != nil && phase == .closing }

    mutating func closingTokenForced() { forcedClosingText = true }

    /// Whether the limit is closing the tree (or finishing its final value): from then on the
    /// round ends as the limit writes it, not with a summary. Ending a tool call's parameters
    /// is not closing: the round goes on after the result and may still switch to its summary.
    var isClosingTree: Bool { phase != .writing }

    /// Takes the decision before the next token: start closing the tree, or finish the final
    /// value (`neededTokens`: the tokens of the grammar's shortest completion, asked only
    /// near the limit).
    /// Inside a tool call (`call`: the bytes of the shortest completion through the call, and
    /// the tokens to its result), a call that would outrun the limit is ended the shortest way.
    mutating func decide(written: Int, isInFinalValue: Bool, neededTokens: () -> Int?,
                         call: (bytesThroughCall: Int, tokensToResult: () -> Int?)? = nil) {
        guard phase != .finishing else { return }
        if rule.answerReserve != nil {
            // steps and prose: finished at the limit whether the answer is begun or not
            if rule.mustFinish(written: written, neededTokens: neededTokens) {
                phase = .finishing
            } else if rule.mustClose(written: written, neededTokens: neededTokens) {
                phase = .closing
            }
            return
        }
        if isInFinalValue {
            if rule.mustFinish(written: written, neededTokens: neededTokens) { phase = .finishing }
        } else if phase == .writing {
            if rule.mustClose(written: written, neededTokens: neededTokens) {
                phase = .closing
            } else if !finishingToolCall, let call {
                finishingToolCall = rule.mustFinishToolCall(written: written, bytesThroughCall: call.bytesThroughCall,
                                                            tokensToResult: call.tokensToResult)
            }
        }
    }

    /// Whether the next token is the closing text's rather than the model's.
    func forcesNext(isInFinalValue: Bool, isInsideToolCall: Bool) -> Bool {
        phase == .finishing || phase == .closing && !isInFinalValue || finishingToolCall && isInsideToolCall
    }
}
