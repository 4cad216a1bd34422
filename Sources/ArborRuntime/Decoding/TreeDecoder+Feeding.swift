import ArborModel

/// How appended tokens reach the backend and the recorder.
struct FeedMode {
    /// Tokens wait and go in one batch up to each prune point, whatever their kind (a replay).
    var batches: Bool
    /// Tokens, finished tasks and KV rows go to the recorder (false while replaying tokens
    /// that are already in the record).
    var records: Bool

    static let live = FeedMode(batches: false, records: true)
}

extension TreeDecoder {
    /// Feeds tokens to the tracker and the backend, pruning wherever a subtask list closes.
    ///
    /// The token that closes a list is fed *after* the eviction, so every kept token is
    /// computed from exactly the kept tokens before it: the cache equals a fresh prefill of
    /// the kept tokens, and a resumed run (which replays through here) rebuilds it exactly.
    /// Steps and prose go to their reader instead, which finds the steps they finish.
    mutating func append(_ ids: [Int32], kind: TokenKind, mode: FeedMode = .live) throws {
        for id in ids {
            if kind == .generated { history.append(id) }
            let bytes = tokenizer.tokenBytes(id)
            if steps != nil {
                steps?.consume(bytes)
                pending.append((id, kind, document.count))
                continue
            }
            let events = tracker.consume(bytes)
            var closedLists: [Range<Int>] = []
            var finished: [TaskRecord] = []
            for event in events where settings.isTree {
                switch event {
                case .taskFinished(let path, let thought, let conclusion, let toolName):
                    finished.append(TaskRecord(path: path, thought: thought, conclusion: conclusion, toolName: toolName))
                case .subtaskListClosed(_, let interior):
                    closedLists.append(interior)
                }
            }
            if !closedLists.isEmpty && settings.prune { try prune(closedLists, mode: mode) }
            pending.append((id, kind, tracker.document.count))
            roundEnding.tokenAppended(kept: keptTreeTokens, finishedTopLevelTask: finished.contains { $0.path.depth == 1 })
            tasks += finished
            if !finished.isEmpty && mode.records {
                try flush(mode)
                for task in finished { try recorder?.taskFinished(task, round: roundNumber) }
            }
        }
        if steps != nil { try readSteps(mode) }
        if !mode.batches { try flush(mode) }
        metrics.peakKVSlots = memory.peakLiveCount
        metrics.prunedTokens = memory.prunedCount
        roundEnding.stepEnded(kept: keptTreeTokens)
        updateTimes()
        onProgress?(RunProgress(metrics: metrics, liveKVSlots: memory.liveCount))
    }

    /// The steps that the tokens just appended finished (a line ends at its newline): tasks,
    /// recorded after their tokens.
    private mutating func readSteps(_ mode: FeedMode) throws {
        guard let finished = steps?.readSteps(toolCalls: toolCalls), !finished.isEmpty else { return }
        tasks += finished
        guard mode.records else { return }
        try flush(mode)
        for task in finished { try recorder?.taskFinished(task, round: roundNumber) }
    }

    /// Evicts the lists the pruning buffer lets go once `closedLists` are finished.
    private mutating func prune(_ closedLists: [Range<Int>], mode: FeedMode) throws {
        try flush(mode)
        for interior in closedLists {
            for evicted in pruning.push(memory.tokenRange(within: interior)) where memory.evict(evicted) > 0 {
                // Recorded while replaying too: marks made after the last commit were lost.
                let offset = seqBase + memory.promptFedCount
                try recorder?.pruned(seqs: (evicted.lowerBound + offset)..<(evicted.upperBound + offset))
            }
        }
    }

    /// Feeds the pending tokens to the backend in one batch, and to the recorder.
    mutating func flush(_ mode: FeedMode) throws {
        guard !pending.isEmpty else { return }
        var firstSeq = nextSeq
        let fedSlots = try memory.feed(pending.map(\.id), kinds: pending.map(\.kind), byteEnds: pending.map(\.byteEnd))
        if mode.records, let recorder {
            try recorder.kvRowsComputed(firstSeq: firstSeq, slots: fedSlots, backend: backend)
            var start = 0
            while start < pending.count {
                let kind = pending[start].kind
                var end = start + 1
                while end < pending.count && pending[end].kind == kind { end += 1 }
                try recorder.appended(pending[start..<end].map(\.id), kind: kind, firstSeq: firstSeq,
                                      taskPath: currentPath, round: roundNumber)
                firstSeq += end - start
                start = end
            }
        }
        pending.removeAll(keepingCapacity: true)
    }
}

extension RunRecorder {
    /// Hands the just-computed KV rows of `slots` (tokens `firstSeq...`) over, when this
    /// recorder keeps them and the backend can copy them out.
    func kvRowsComputed(firstSeq: Int, slots: [Int32], backend: any DecodingBackend) throws {
        guard keepsKVRows, !slots.isEmpty, let transfer = backend as? any KVRowTransfer else { return }
        try kvRowsComputed(firstSeq: firstSeq, slots: slots, from: transfer)
    }
}
