import ArborModel
import Foundation

/// The model's KV cache seen as the run's working memory: the prompt, then every token of the
/// tree document with its slot, its bytes in the document and whether it is still cached.
///
/// Kept tokens always sit at contiguous positions: evicting a span frees its slots and moves
/// every later token down by the span's length (RoPE re-rotation, no recomputation).
final class WorkingMemory {
    let model: any DecodingBackend
    private(set) var promptTokens: [Int32] = []
    /// The tree document's tokens in order, with where each came from.
    private(set) var tokens: [Int32] = []
    private(set) var kinds: [TokenKind] = []
    /// Byte offset in the document where each token ends (a token starts where the last ended).
    private(set) var byteEnds: [Int] = []
    private var slots: [Int32] = []
    private(set) var live: [Bool] = []
    /// The position the next token takes.
    private(set) var nextPosition: Int32 = 0
    /// Tokens cached now (prompt included) and the most ever cached at once.
    private(set) var liveCount = 0
    private(set) var peakLiveCount = 0
    /// Document tokens evicted so far.
    private(set) var prunedCount = 0

    /// The run-wide seq of this memory's first fed token (prompt tokens count too).
    let seqBase: Int
    /// Recorded KV rows to copy back instead of computing, for tokens before `before` (a
    /// resume sets it to the last recorded token, which is computed to get its logits).
    var restore: (rows: RecordedProgress.KVRowReader, before: Int)?
    /// Slots left unwritten because their recorded rows were gone (their tokens had left the
    /// cache): harmless unless one is still cached when the replay ends.
    private(set) var unwrittenSlots: Set<Int32> = []
    /// Tokens whose recorded rows were copied back.
    private(set) var restoredCount = 0

    init(model: any DecodingBackend, seqBase: Int = 0) {
        self.model = model
        self.seqBase = seqBase
    }

    /// Prompt tokens this memory fed itself (the rest was kept from the previous round).
    private(set) var promptFedCount = 0
    /// Slots of the prompt tokens this memory fed.
    private(set) var fedPromptSlots: [Int32] = []
    /// Prompt tokens kept from the previous round's cache.
    var keptPromptCount: Int { promptTokens.count - promptFedCount }

    /// Feeds the prompt at positions 0..<count.
    func feedPrompt(_ ids: [Int32]) throws {
        fedPromptSlots = try feedModel(ids, firstSeq: seqBase)
        promptTokens = ids
        promptFedCount = ids.count
        advance(by: ids.count)
    }

    /// Whether a token still cached has unwritten rows (see ``unwrittenSlots``).
    var cachesUnwrittenRows: Bool {
        !unwrittenSlots.isEmpty && model.sequenceSlots.contains { unwrittenSlots.contains($0) }
    }

    /// Puts tokens into the model at the next positions: copies recorded rows back where
    /// ``restore`` has them, computes the rest (one decode step for a single token).
    private func feedModel(_ ids: [Int32], firstSeq: Int) throws -> [Int32] {
        let positions = positions(ids.count)
        var restored = 0
        var slots: [Int32] = []
        if let restore, let transfer = model as? any KVRowTransfer, firstSeq < restore.before {
            restored = min(ids.count, restore.before - firstSeq)
            slots = try transfer.appendUncomputed(positions: Array(positions[..<restored]))
            var missing = Set(slots)
            try restore.rows(firstSeq..<(firstSeq + restored)) { seq, row in
                // rows of another model's shape: compute everything instead
                guard row.count == transfer.kvRowByteCount else { throw KVRowsIncomplete() }
                let slot = slots[seq - firstSeq]
                try transfer.writeRow(row, slot: slot)
                missing.remove(slot)
                restoredCount += 1
            }
            // rows never stored, or deleted when their token left the cache
            unwrittenSlots.subtract(slots)
            unwrittenSlots.formUnion(missing)
        }
        let rest = Array(ids[restored...])
        var computed: [Int32] = []
        if rest.count == 1 {
            computed = [try model.decode(token: rest[0], position: positions[restored])]
        } else if !rest.isEmpty {
            computed = try model.prefill(tokens: rest, positions: Array(positions[restored...]))
        }
        unwrittenSlots.subtract(computed)  // a freed slot may be taken again
        return slots + computed
    }

    /// The working memory of the next summary round: the cache keeps the part of this
    /// round's prompt that the next prompt starts with (instructions and inputs), drops
    /// everything after it and feeds the rest of the new prompt (the summary).
    func nextRound(prompt ids: [Int32], seqBase: Int) throws -> WorkingMemory {
        // At least the last prompt token is fed again: its logits start the round, and the
        // log needs a prompt token to mark where the round begins (a summary repeating the
        // previous one word for word makes the whole prompt shared).
        let common = min(zip(promptTokens, ids).prefix { $0 == $1 }.count, ids.count - 1)
        model.free(slots: Array(model.sequenceSlots.dropFirst(common)))
        let next = WorkingMemory(model: model, seqBase: seqBase)
        next.restore = restore
        next.unwrittenSlots = unwrittenSlots.intersection(model.sequenceSlots)
        next.nextPosition = Int32(common)
        next.liveCount = common
        next.peakLiveCount = common
        let rest = Array(ids[common...])
        next.fedPromptSlots = try next.feedModel(rest, firstSeq: seqBase)
        next.promptTokens = ids
        next.promptFedCount = rest.count
        next.advance(by: rest.count)
        return next
    }

    /// Feeds document tokens in one batch; `byteEnds` gives where each ends in the document.
    /// Returns their slots.
    @discardableResult
    func feed(_ ids: [Int32], kinds newKinds: [TokenKind], byteEnds ends: [Int]) throws -> [Int32] {
        guard !ids.isEmpty else { return [] }
        let newSlots = try feedModel(ids, firstSeq: seqBase + promptFedCount + tokens.count)
        tokens += ids
        kinds += newKinds
        byteEnds += ends
        slots += newSlots
        live += Array(repeating: true, count: ids.count)
        advance(by: ids.count)
        return newSlots
    }

    /// The run-wide seqs of this memory's tokens that the next round does not keep, given
    /// that it keeps the first `keptPrompt` prompt tokens: the fed prompt tokens past them
    /// and every document token.
    func seqsReleased(keepingPrompt keptPrompt: Int) -> Range<Int> {
        let firstDropped = seqBase + max(0, keptPrompt - keptPromptCount)
        return min(firstDropped, seqBase + promptFedCount)..<(seqBase + promptFedCount + tokens.count)
    }

    /// The document tokens lying wholly inside `bytes`.
    func tokenRange(within bytes: Range<Int>) -> Range<Int> {
        // The first token starting at or after bytes.lowerBound: its predecessor ends there or before.
        var first = byteEnds.partitionPoint { $0 <= bytes.lowerBound }
        if first < byteEnds.count, tokenStart(first) < bytes.lowerBound { first += 1 }
        let end = byteEnds.partitionPoint { $0 <= bytes.upperBound }
        return first..<max(first, end)
    }

    /// Frees the still-cached tokens in `range` and moves the later ones down; returns how
    /// many were freed.
    @discardableResult
    func evict(_ range: Range<Int>) -> Int {
        let freed = range.filter { live[$0] }
        guard !freed.isEmpty else { return 0 }
        for index in freed { live[index] = false }
        model.free(slots: freed.map { slots[$0] })
        unwrittenSlots.subtract(freed.map { slots[$0] })
        let tail = (range.upperBound..<tokens.count).filter { live[$0] }.map { slots[$0] }
        let gap = Int32(freed.count)
        if !tail.isEmpty { model.reposition(slots: tail, delta: -gap) }
        nextPosition -= gap
        liveCount -= freed.count
        prunedCount += freed.count
        return freed.count
    }

    /// Drops the whole cache and prefills the prompt and every kept token again at contiguous
    /// positions — what an agent loop without a persistent cache does after each tool call
    /// (the baseline of `arbor bench tools`).
    func rebuild() throws {
        model.free(slots: model.sequenceSlots)
        let keptIndices = tokens.indices.filter { live[$0] }
        let ids = promptTokens + keptIndices.map { tokens[$0] }
        let newSlots = try model.prefill(tokens: ids, positions: (0..<Int32(ids.count)).map { $0 })
        for (offset, index) in keptIndices.enumerated() { slots[index] = newSlots[promptTokens.count + offset] }
        nextPosition = Int32(ids.count)
    }

    private func tokenStart(_ index: Int) -> Int { index == 0 ? 0 : byteEnds[index - 1] }

    private func positions(_ count: Int) -> [Int32] { (0..<Int32(count)).map { nextPosition + $0 } }

    private func advance(by count: Int) {
        nextPosition += Int32(count)
        liveCount += count
        peakLiveCount = max(peakLiveCount, liveCount)
    }
}

extension Array {
    /// How many leading elements satisfy `isBefore` (binary search); the array must hold
    /// every such element before every other.
    func partitionPoint(_ isBefore: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if isBefore(self[mid]) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
