import ArborGrammar

/// When a summary round ends: a consumer of the decode steps that watches the tree tokens
/// kept in the cache and says when the round has used its budget and stands where it can
/// close with a summary (a top-level task boundary).
///
/// "Would pass": the round ends at a top-level boundary once another task as large as the
/// largest so far, and then the summary, could take the kept tokens past the budget. So the
/// working memory stays within budget + prompt unless a task outgrows every earlier one.
struct RoundEnding {
    /// The grammar ending in `"summary"`, when this round may end with one.
    let summaryGrammar: CompiledGrammar?
    /// Kept tree tokens beyond which the round ends at the next top-level task boundary.
    let budget: Int?
    /// The summary's longest text (`limits.max_text_length`; a token holds at least one character).
    let maxTextLength: Int
    /// The most a top-level task has added to the kept tree tokens at its peak, over the run
    /// so far (the runner carries it from round to round).
    private(set) var largestTopLevelTask: Int
    /// Whether the round switched to its summary ending.
    private(set) var endsWithSummary = false
    /// The most tree tokens kept at once in this round.
    private(set) var peakKeptTreeTokens = 0
    private var keptAtTaskStart = 0
    private var taskPeak = 0

    init(summaryGrammar: CompiledGrammar?, budget: Int?, maxTextLength: Int, largestTopLevelTask: Int) {
        self.summaryGrammar = summaryGrammar
        self.budget = budget
        self.maxTextLength = maxTextLength
        self.largestTopLevelTask = largestTopLevelTask
    }

    /// Whether the round is one that may still switch to its summary.
    var mayStillEnd: Bool { summaryGrammar != nil && !endsWithSummary }

    /// Room kept for one more task and the summary: the largest task so far, the summary's
    /// longest text and its forced brackets.
    private var reserve: Int { largestTopLevelTask + maxTextLength + 8 }

    /// Whether the round must switch to its summary now.
    func shouldEnd(kept: Int, atTopLevelBoundary: Bool, closedAtTokenLimit: Bool) -> Bool {
        guard let budget, mayStillEnd, !closedAtTokenLimit else { return false }
        return kept + reserve >= budget && atTopLevelBoundary
    }

    /// Whether the round could switch to its summary within the next `count` tokens (kept
    /// tree tokens, and the largest task with them, grow by at most one per token).
    func mayEnd(kept: Int, within count: Int) -> Bool {
        guard let budget, mayStillEnd else { return false }
        return kept + 2 * count + reserve >= budget
    }

    mutating func switchedToSummary() { endsWithSummary = true }

    /// Takes one token into account: `kept` tree tokens now, and whether it closed a top-level task.
    mutating func tokenAppended(kept: Int, finishedTopLevelTask: Bool) {
        taskPeak = max(taskPeak, kept)
        if finishedTopLevelTask {
            largestTopLevelTask = max(largestTopLevelTask, taskPeak - keptAtTaskStart)
            keptAtTaskStart = kept
            taskPeak = kept
        }
    }

    mutating func stepEnded(kept: Int) { peakKeptTreeTokens = max(peakKeptTreeTokens, kept) }
}
