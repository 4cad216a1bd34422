/// The seat the runtime's decode loop drives a model through: the in-process transformer,
/// a remote server or a test double.
///
/// The backend keeps one sequence: an ordered list of KV slots (pages of one token). Tokens
/// are appended by `prefill`/`decode`; `free` drops slots from the sequence and returns
/// them to the pool; `reposition` moves kept tokens to new positions (RoPE re-rotation).
/// After `prefill` or `decode`, `logits` holds the scores of the last token fed.
///
/// Slots are opaque handles the backend hands out; the caller only passes them back. A
/// backend over a server (llama-server's slot API, say) maps them to its cache cells:
/// `free` is a sequence-range removal, `reposition` a position shift of the cells, and
/// `logits` the scores the server returns for the last token. Positions are always chosen
/// by the caller, so pruning works the same on every backend.
public protocol DecodingBackend: AnyObject {
    /// Vocabulary size (length of `logits`).
    var vocabularySize: Int { get }
    /// Scores of the next token after the last token fed; valid until the next call.
    var logits: UnsafeMutableBufferPointer<Float> { get }
    /// Slots of the current sequence in attention order.
    var sequenceSlots: [Int32] { get }
    /// Feeds tokens at the given positions (one each) and returns their slots.
    func prefill(tokens: [Int32], positions: [Int32]) throws -> [Int32]
    /// Feeds one token; the same as a one-token prefill.
    func decode(token: Int32, position: Int32) throws -> Int32
    /// Drops slots from the sequence and frees them; returns how many were freed.
    @discardableResult func free(slots: [Int32]) -> Int
    /// Moves the tokens in `slots` by `delta` positions.
    func reposition(slots: [Int32], delta: Int32)
}

/// A model whose cached keys and values can be copied out and back in, one token's rows at a
/// time: a run's store keeps each token's rows as computed, and a resume copies them back
/// instead of recomputing the context.
///
/// A token's rows are its key and value vectors in every layer, as the forward pass wrote
/// them at the token's position then (re-rotation after pruning is replayed by the caller).
public protocol KVRowTransfer: DecodingBackend {
    /// Bytes of one token's rows.
    var kvRowByteCount: Int { get }
    /// The rows of `slots`, one after another (`slots.count × kvRowByteCount` bytes).
    func copyRows(of slots: [Int32]) -> [UInt8]
    /// Appends tokens at `positions` without computing anything (their rows hold whatever the
    /// slots held: write them with ``writeRow(_:slot:)``); `logits` are left as they were.
    func appendUncomputed(positions: [Int32]) throws -> [Int32]
    /// Writes one token's rows (`kvRowByteCount` bytes, as ``copyRows(of:)`` gives them).
    func writeRow(_ row: UnsafeRawBufferPointer, slot: Int32) throws
}
