/// The token limit as a consumer of the decode steps: where a round stands with respect to
/// its limit. It only moves forward — writing, then closing the tree, then finishing the
/// final value — and each move sticks, so a replay that asks at the same tokens moves alike.
struct TokenLimit: Sendable {
    enum Phase: Sendable { case writing, closing, finishing }
    let rule: any TokenLimitRule
    private(set) var phase = Phase.writing
    /// The limit is ending a begun tool call's parameters the shortest way (it sticks, and
    /// forces text only while the round is inside a call).
    private(set) var finishingToolCall = false
    /// The limit has forced a token of its closing text.
    private(set) var forcedClosingText = false

    init(_ rule: any TokenLimitRule) { self.rule = rule }

    /// Whether the limit closed the round: its final value was written in the reserve, or cut
    /// short, or a tool call's parameters were. Steps and prose count as closed once the
    /// limit has forced text (reaching the reserve with the answer begun is no closing): a
    /// rule that finishes past the limit leaves the end to the grammar.
    var closed: Bool { forcedClosingText || !rule.finishesPastLimit && (phase != .writing || finishingToolCall) }

    /// Whether the round ends as soon as its grammar is complete: a tree the limit closed.
    /// (Steps and prose end when the grammar allows nothing more.)
    var endsWhenComplete: Bool { !rule.finishesPastLimit && closed }

    /// Whether the model writes on when no closing text can be forced yet: steps or prose
    /// closing inside a call, whose result must come first (else the round cannot end).
    var writesOnUntilClosable: Bool { rule.finishesPastLimit && phase == .closing }

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
        let next = rule.phase(after: phase, written: written, isInFinalValue: isInFinalValue, neededTokens: neededTokens)
        // a call is ended only while the round writes on, outside its final value
        if next == .writing && !isInFinalValue && !finishingToolCall, let call {
            finishingToolCall = rule.mustFinishToolCall(written: written, bytesThroughCall: call.bytesThroughCall,
                                                        tokensToResult: call.tokensToResult)
        }
        phase = next
    }

    /// Whether the next token is the closing text's rather than the model's.
    func forcesNext(isInFinalValue: Bool, isInsideToolCall: Bool) -> Bool {
        phase == .finishing || phase == .closing && !isInFinalValue || finishingToolCall && isInsideToolCall
    }
}
