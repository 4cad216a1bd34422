import ArborModel
import ArborStore

/// Where a fork of a recorded run starts: right after the token that closes a task.
public struct ForkPoint: Sendable, Equatable {
    /// Tree tokens (after the prompt) the fork keeps.
    public var treeTokens: Int
    /// Tool calls whose results lie in the kept tokens.
    public var toolCalls: Int

    /// Follows the recorded tokens through the tree tracker and stops after the task at
    /// `path` (zero-based, as `arbor inspect` shows it) closes; nil when it never closed.
    public init?(progress: RecordedProgress, endingAfterTask path: [Int], tokenizer: BPETokenizer) {
        var tracker = TreeTracker()
        var toolCalls = 0
        var previous: TokenKind?
        for (index, token) in progress.tokens.enumerated() {
            if token.kind == .toolResult && previous != .toolResult { toolCalls += 1 }
            previous = token.kind
            for case .taskFinished(let finished, _, _, _) in tracker.consume(tokenizer.tokenBytes(token.id)) where finished == path {
                self.treeTokens = index + 1
                self.toolCalls = toolCalls
                return
            }
        }
        return nil
    }
}
