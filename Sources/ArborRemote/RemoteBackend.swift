import ArborGrammar
import ArborModel
import ArborRuntime
import ArborSchema
import Foundation

/// A serving engine as the decode loop's backend: the token list stays here, each request
/// sends it whole (token ids) with the grammar's residual up to the next hole, and the
/// tokens that come back are handed to ``TreeDecoder`` one per step, each checked by
/// Arbor's own matcher before it is written into the tree.
///
/// Pruning frees tokens here; the next request sends the pruned sequence, which the server
/// computes again from the first changed token (its prompt cache reuses the common prefix).
/// A token the server writes that the grammar refuses is never written: the segment is cut
/// there and asked again with that token banned, a bounded number of times.
///
/// ```swift
/// let backend = try RemoteBackend(engine: ServingEngine(kind: .llamaServer, url: "http://127.0.0.1:8080"),
///                                 tokenizer: model.tokenizer)
/// try backend.checkTokenizer()
/// var execution = WorkflowExecution(workflow: workflow, model: model, options: options)
/// execution.backend = backend
/// ```
public final class RemoteBackend: SegmentedBackend, @unchecked Sendable {
    /// What the run cost the server.
    public struct Usage: Sendable, Equatable {
        /// Segment requests sent (retries not counted).
        public var requests = 0
        /// Prompt tokens sent, summed over requests.
        public var promptTokensSent = 0
        /// Of those, tokens the server says it took from its prompt cache.
        public var promptTokensCached = 0
        /// Tokens the server wrote.
        public var tokensWritten = 0
        /// Tokens written and then not used (the decoder went another way: forced text
        /// tokenised differently, a pruned sequence, the token limit).
        public var tokensUnused = 0
        /// Tokens the matcher refused.
        public var tokensRefused = 0

        public init() {}

        /// This usage and `other` summed (many runs against one server).
        public static func + (lhs: Usage, rhs: Usage) -> Usage {
            var sum = lhs
            sum.requests += rhs.requests
            sum.promptTokensSent += rhs.promptTokensSent
            sum.promptTokensCached += rhs.promptTokensCached
            sum.tokensWritten += rhs.tokensWritten
            sum.tokensUnused += rhs.tokensUnused
            sum.tokensRefused += rhs.tokensRefused
            return sum
        }
    }

    public let engine: ServingEngine
    public let api: ServerAPI
    public let connection: ServerConnection
    public let tokenizer: BPETokenizer
    public let vocabularySize: Int
    /// Most tokens one segment may ask for.
    public var segmentLimit = 256
    /// Whether requests let the server reuse its prompt cache.
    public var cachePrompt = true
    /// How often a refused token is asked again (banned) before the run fails.
    public var refusalAttempts = 3
    /// Tokens the server must never write, sent as a logit bias with every request (the
    /// in-process engine's equivalent is setting their logits to -infinity).
    public var bannedTokens: [Int32] = []
    public private(set) var usage = Usage()

    public private(set) var logits: UnsafeMutableBufferPointer<Float>
    public private(set) var sequenceSlots: [Int32] = []
    private var tokenOfSlot: [Int32: Int32] = [:]
    private var nextSlot: Int32 = 0
    /// The server's tokens not yet handed to the decoder.
    private var proposals: ArraySlice<Int32> = []
    /// Whether the server ended the text after the last proposal.
    private var proposalsEndText = false

    public init(engine: ServingEngine, tokenizer: BPETokenizer, retry: ServerConnection.RetryPolicy = .init()) {
        self.engine = engine
        api = ServerAPI(engine: engine)
        let key = engine.apiKeyVariable.flatMap { ProcessInfo.processInfo.environment[$0] }
        connection = ServerConnection(baseURL: engine.url, apiKey: key, retry: retry)
        self.tokenizer = tokenizer
        vocabularySize = tokenizer.vocabularySize
        logits = .allocate(capacity: tokenizer.vocabularySize)
        logits.initialize(repeating: -.infinity)
    }

    deinit { logits.deallocate() }

    /// The sequence as token ids, in order.
    public var tokens: [Int32] { sequenceSlots.map { tokenOfSlot[$0]! } }

    // MARK: DecodingBackend

    public func prefill(tokens ids: [Int32], positions: [Int32]) throws -> [Int32] {
        var slots: [Int32] = []
        for id in ids {
            if proposals.first == id {
                proposals.removeFirst()
            } else {
                dropProposals()
            }
            let slot = nextSlot
            nextSlot += 1
            tokenOfSlot[slot] = id
            sequenceSlots.append(slot)
            slots.append(slot)
        }
        return slots
    }

    public func decode(token: Int32, position: Int32) throws -> Int32 {
        try prefill(tokens: [token], positions: [position])[0]
    }

    @discardableResult public func free(slots: [Int32]) -> Int {
        let dropped = Set(slots.filter { tokenOfSlot[$0] != nil })
        guard !dropped.isEmpty else { return 0 }
        sequenceSlots.removeAll { dropped.contains($0) }
        for slot in dropped { tokenOfSlot[slot] = nil }
        // The server's continuation was written for the longer sequence.
        dropProposals()
        return dropped.count
    }

    /// Positions follow the order of the sequence: the server numbers the tokens it is sent.
    public func reposition(slots: [Int32], delta: Int32) {}

    private func dropProposals() {
        usage.tokensUnused += proposals.count
        proposals = []
        proposalsEndText = false
    }

    // MARK: Segments

    public func prepareNextToken(grammar: GrammarMatcher, sampling: SamplerSettings, tokensLeft: Int) throws {
        var banned: [Int32] = []
        while true {
            if proposals.isEmpty && !proposalsEndText {
                try requestSegment(grammar: grammar, sampling: sampling, tokensLeft: tokensLeft, banned: banned)
            }
            let next = proposals.first ?? endToken
            var check = grammar
            if check.acceptToken(Int(next)) {
                setOnly(next)
                if proposals.isEmpty { proposalsEndText = false }
                return
            }
            usage.tokensRefused += 1
            banned.append(next)
            dropProposals()
            if banned.count >= refusalAttempts {
                throw RemoteError.grammarRejected(server: engine.url, position: sequenceSlots.count, token: next,
                                                  text: String(decoding: tokenizer.tokenBytes(next), as: UTF8.self), attempts: banned.count)
            }
        }
    }

    private var endToken: Int32 { tokenizer.eosID ?? tokenizer.endOfGenerationIDs.min() ?? 0 }

    private func requestSegment(grammar: GrammarMatcher, sampling: SamplerSettings, tokensLeft: Int, banned: [Int32]) throws {
        let residual: String
        do { residual = try grammar.residualGBNF() } catch {
            throw RemoteError.residualUnprintable(server: engine.url, position: sequenceSlots.count, reason: "\(error)")
        }
        let request = SegmentRequest(prompt: tokens, grammar: residual, maxTokens: max(1, min(segmentLimit, tokensLeft)),
                                     sampling: sampling, cachePrompt: cachePrompt, bannedTokens: bannedTokens + banned)
        let reply = try api.reply(try connection.post(api.segmentPath, api.body(request)), endIDs: tokenizer.endOfGenerationIDs)
        usage.requests += 1
        usage.promptTokensSent += request.prompt.count
        usage.promptTokensCached += reply.cachedTokens
        usage.tokensWritten += reply.tokens.count
        var written = reply.tokens
        if !reply.endedText { written = Self.trimmedToCharacter(written, tokenizer: tokenizer) }
        usage.tokensUnused += reply.tokens.count - written.count
        proposals = written[...]
        proposalsEndText = reply.endedText && written.count == reply.tokens.count
        if proposals.isEmpty && !proposalsEndText {
            throw RemoteError.malformedReply(server: engine.url, reason: "an empty segment that neither ended the text nor reached a limit")
        }
    }

    /// `ids` without trailing tokens that end inside a UTF-8 character (a segment cut by its
    /// token limit), so the next request's residual starts at a character; all of them
    /// when no token ends at a character boundary.
    static func trimmedToCharacter(_ ids: [Int32], tokenizer: BPETokenizer) -> [Int32] {
        var bytes: [UInt8] = []
        var lastWhole = 0
        for (index, id) in ids.enumerated() {
            bytes += tokenizer.tokenBytes(id)
            if Array(String(decoding: bytes, as: UTF8.self).utf8) == bytes { lastWhole = index + 1 }
        }
        return lastWhole == 0 ? ids : Array(ids[..<lastWhole])
    }

    private func setOnly(_ token: Int32) {
        logits.update(repeating: -.infinity)
        logits[Int(token)] = 0
    }

    // MARK: Start-up

    /// Texts whose ids must come back the same from the server's tokenizer.
    public static let tokenizerSamples = [
        "Hello, world! The answer is 42.",
        #"{"reasoning":[{"thought":"Compute 12 * 7 + 5.","conclusion":"89"}],"answer":{"value":89}}"#,
        "  multiple   spaces,\ttabs\nand newlines — ünïcödé 日本語 🙂",
    ]

    /// Compares the server's tokenizer with the run's GGUF tokenizer on a few texts; throws
    /// ``RemoteError/tokenizerDiffers(server:sample:ours:theirs:)`` naming the server.
    public func checkTokenizer(samples: [String] = RemoteBackend.tokenizerSamples) throws {
        for sample in samples {
            let theirs = try api.tokenized(try connection.post(api.tokenizePath, api.tokenizeBody(sample)))
            let ours = tokenizer.encode(sample, parseSpecial: false)
            if theirs != ours { throw RemoteError.tokenizerDiffers(server: engine.url, sample: sample, ours: ours, theirs: theirs) }
        }
    }
}

extension RemoteBackend.Usage {
    /// One line for standard error after a remote run.
    public var summaryLine: String {
        let share = promptTokensSent > 0 ? 100 * Double(promptTokensCached) / Double(promptTokensSent) : 0
        return String(format: "remote: %d requests, %d prompt tokens sent, %d (%.0f%%) served from the server's cache, %d tokens written, %d unused, %d refused by the grammar",
                      requests, promptTokensSent, promptTokensCached, share, tokensWritten, tokensUnused, tokensRefused)
    }
}
