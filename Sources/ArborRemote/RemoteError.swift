import ArborRuntime

/// What went wrong talking to a serving engine; every case names the server.
public enum RemoteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server did not answer usefully (down, restarting, 5xx, timed out, the connection
    /// dropped) after every retry. The run stops paused and can be resumed.
    case unavailable(server: String, attempts: Int, problem: String)
    /// The server refused the request (4xx) with its own message.
    case refused(server: String, status: Int, message: String)
    /// The reply was not what the API documents.
    case malformedReply(server: String, reason: String)
    /// The server's tokenizer splits a sample text differently from the run's GGUF tokenizer.
    case tokenizerDiffers(server: String, sample: String, ours: [Int32], theirs: [Int32])
    /// The server kept writing a token the grammar does not allow at this position.
    case grammarRejected(server: String, position: Int, token: Int32, text: String, attempts: Int)
    /// The grammar's residual cannot be written as GBNF here.
    case residualUnprintable(server: String, position: Int, reason: String)

    public var description: String {
        switch self {
        case let .unavailable(server, attempts, problem):
            return "the serving engine at \(server) did not answer after \(attempts) attempts (\(problem)); the run is paused with everything so far saved: start or fix the server, then `arbor resume RUN_ID` (with --backend URL if it moved)"
        case let .refused(server, status, message):
            return "the serving engine at \(server) refused the request (HTTP \(status)): \(message)"
        case let .malformedReply(server, reason):
            return "the serving engine at \(server) sent a reply Arbor cannot read: \(reason)"
        case let .tokenizerDiffers(server, sample, ours, theirs):
            return "the serving engine at \(server) tokenizes \(sample.debugDescription) as \(theirs), the run's GGUF tokenizer as \(ours): it serves a different model or tokenizer; point `tokenizer:` (or --model) at the GGUF the server runs"
        case let .grammarRejected(server, position, token, text, attempts):
            return "the serving engine at \(server) wrote token \(token) (\(text.debugDescription)) at position \(position), which the workflow's grammar does not allow there (\(attempts) attempts); nothing of it was written into the tree"
        case let .residualUnprintable(server, position, reason):
            return "cannot ask \(server) to go on at position \(position): \(reason)"
        }
    }
}

extension RemoteError: RunPausingError {
    /// Only a server that did not answer pauses the run; a refusal or a wrong reply would
    /// happen again on resume.
    public var pausesRun: Bool {
        if case .unavailable = self { return true }
        return false
    }
}
