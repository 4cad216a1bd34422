import ArborModel
import Foundation

/// The model's KV cache seen as the run's working memory: the prompt, then every token of the
/// tree document with its slot, its bytes in the document and whether it is still cached.
///
/// Kept tokens always sit at contiguous positions: evicting a span frees its slots and moves
/// every later token down by the span's length (RoPE re-rotation, no recomputation).
/// Which slots are cached, and at what positions, is the backend's sequence (the model's
/// ``KVCells``); this memory keeps only which slot each document token got.
final class WorkingMemory {
    let model: any DecodingBackend
    private(set) var promptTokens: [Int32] = []
    /// The tree document's tokens in order, with where each came from.
    private(set) var tokens: [Int32] = []
    private(set) var kinds: [TokenKind] = []
    /// Byte offset in the document where each token ends (a token starts where the last ended).
    private(set) var byteEnds: [Int] = []
    /// Each document token's slot, `-1` once it was evicted.
    private var slots: [Int32] = []
    /// Whether each document token is still cached.
    var live: [Bool] { slots.map { $0 >= 0 } }
    /// Tokens cached now (prompt included): the backend's sequence.
    var liveCount: Int { model.sequenceSlots.count }
    /// The position the next token takes: kept tokens sit at 0..<liveCount.
    var nextPosition: Int32 { Int32(liveCount) }
    /// The most tokens cached at once.
    private(set) var peakLiveCount = 0
    /// Document tokens evicted so far.
    private(set) var prunedCount = 0

    /// The run-wide seq of this memory's first fed token (prompt tokens count too).
    let seqBase: Int
    /// Recorded KV rows to copy back instead of computing, for tokens before `before` (a
    /// resume sets it to the last recorded token, which is computed to get its logits).
    var restore: (rows: RecordedProgress.KVRowReader, before: Int)?
    /// Slots left unwritten because their recorded rows were gone, with their tokens' seqs:
    /// the record says those tokens left the cache, so the replay evicts them before anything
    /// reads them.
    private var unwritten: [Int32: Int] = [:]
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
        notePeak()
    }

    /// The first token still cached whose rows were not written (see ``unwritten``): the
    /// record's rows and its pruning disagree. Nil when there is none.
    var firstCachedUnwrittenSeq: Int? {
        unwritten.isEmpty ? nil : model.sequenceSlots.compactMap { unwritten[$0] }.min()
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
            var missing = Dictionary(uniqueKeysWithValues: slots.enumerated().map { ($1, firstSeq + $0) })
            try restore.rows(firstSeq..<(firstSeq + restored)) { seq, row in
                guard row.count == transfer.kvRowByteCount else {
                    throw RuntimeError.kvRowsUnusable(seq: seq, reason: "\(row.count) bytes where the model's rows have \(transfer.kvRowByteCount)")
                }
                let slot = slots[seq - firstSeq]
                try transfer.writeRow(row, slot: slot)
                missing[slot] = nil
                restoredCount += 1
            }
            // rows deleted when their token left the cache (the resume checked that up front)
            for slot in slots { unwritten[slot] = nil }
            unwritten.merge(missing) { $1 }
        }
        let rest = Array(ids[restored...])
        var computed: [Int32] = []
        if rest.count == 1 {
            computed = [try model.decode(token: rest[0], position: positions[restored])]
        } else if !rest.isEmpty {
            computed = try model.prefill(tokens: rest, positions: Array(positions[restored...]))
        }
        for slot in computed { unwritten[slot] = nil }  // a freed slot may be taken again
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
        let kept = Set(model.sequenceSlots)
        next.unwritten = unwritten.filter { kept.contains($0.key) }
        next.peakLiveCount = common
        let rest = Array(ids[common...])
        next.fedPromptSlots = try next.feedModel(rest, firstSeq: seqBase)
        next.promptTokens = ids
        next.promptFedCount = rest.count
        next.notePeak()
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
        notePeak()
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
        let freed = range.map { slots[$0] }.filter { $0 >= 0 }
        guard !freed.isEmpty else { return 0 }
        for index in range { slots[index] = -1 }
        model.free(slots: freed)
        for slot in freed { unwritten[slot] = nil }
        let tail = slots[range.upperBound...].filter { $0 >= 0 }
        if !tail.isEmpty { model.reposition(slots: tail, delta: -Int32(freed.count)) }
        prunedCount += freed.count
        return freed.count
    }

    /// Drops the whole cache and prefills the prompt and every kept token again at contiguous
    /// positions — what an agent loop without a persistent cache does after each tool call
    /// (the baseline of `arbor bench tools`).
    func rebuild() throws {
        model.free(slots: model.sequenceSlots)
        let keptIndices = tokens.indices.filter { slots[$0] >= 0 }
        let ids = promptTokens + keptIndices.map { tokens[$0] }
        let newSlots = try model.prefill(tokens: ids, positions: (0..<Int32(ids.count)).map { $0 })
        for (offset, index) in keptIndices.enumerated() { slots[index] = newSlots[promptTokens.count + offset] }
    }

    private func tokenStart(_ index: Int) -> Int { index == 0 ? 0 : byteEnds[index - 1] }

    private func positions(_ count: Int) -> [Int32] { (0..<Int32(count)).map { nextPosition + $0 } }

    private func notePeak() {
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
