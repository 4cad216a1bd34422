import ArborSchema
import ArborTools

/// The result of ``EvalRunner``: per case, the tree's and the baseline's answers and figures.
public struct EvalReport: Sendable {
    /// One way of asking (the tree, or plain chat) on one case, over all its samples.
    public struct Outcome: Sendable {
        /// The answer that won the vote (the only answer with one sample); nil when no run
        /// finished with one.
        public var answer: JSONValue?
        /// With one sample: the run passed every assertion — the answer right and nothing
        /// else wrong (a tree closed at its token limit fails). With several: the voted
        /// answer is right.
        public var correct: Bool
        /// The (voted) answer equals the expected one, whatever else went wrong: what plain
        /// chat is scored on, so the two compare like for like.
        public var answerRight: Bool
        /// Samples whose own answer was right.
        public var correctSamples: Int
        public var samples: Int
        /// Sums over the samples.
        public var tokens: Int
        public var toolCalls: Int
        public var toolErrors: Int
        public var prunedTokens: Int
        public var seconds: Double
        /// Why a run did not finish or did not pass, first sample first (empty when it passed).
        public var problems: [String]
        /// What the first sample wrote (the tree, or the plain text), for reading why a case
        /// went wrong.
        public var reasoning: JSONValue?

        /// Generated, forced and tool-result tokens of every sample.
        public var prunedShare: Double { tokens == 0 ? 0 : Double(prunedTokens) / Double(tokens) }
    }

    public struct Row: Sendable {
        public var name: String
        public var expected: EvalAnswer
        public var tree: Outcome
        public var baseline: Outcome?
    }

    public var workflow: String
    public var samples: Int
    public var rows: [Row]
    /// Problems loading the workflow or the cases; nothing ran when there are any.
    public var loadErrors: [String]
    public var seconds: Double
    /// The tree's first (or only) sample as an `arbor test` report, with each case's status
    /// set by its eval verdict: what `--junit` writes.
    public var treeReport: TestReport
    /// The cases that could not run (tree or baseline, any sample: a model that does not load,
    /// a run that stopped with an error), each with its first error; a wrong answer is not one.
    public var erroredCases: [(name: String, error: String)]
    /// How the text report names the baseline (``freeTextLabel`` or ``programLabel``).
    public var baselineLabel = EvalReport.freeTextLabel

    public static let freeTextLabel = "plain chat (free text, no tools)"
    public static let programLabel = "plain chat, its Python program's output (PAL, no tools)"

    init(set: EvalSet, samples: Int, tree: [TestReport], baseline: [TestReport]?, seconds: Double) {
        workflow = set.suite.name
        self.samples = samples
        self.seconds = seconds
        loadErrors = set.suite.errors.map(\.description)
        var rows: [Row] = []
        var errored: [(name: String, error: String)] = []
        for result in (tree + (baseline ?? [])).flatMap(\.results) where result.status == .error && !errored.contains(where: { $0.name == result.name }) {
            errored.append((result.name, result.errors.first ?? "could not run"))
        }
        erroredCases = errored
        var first = tree.first ?? TestReport(results: [], seconds: seconds)
        for (index, result) in first.results.enumerated() {
            guard let expected = set.answers[result.name], result.status != .skipped else { continue }
            let treeOutcome = Self.outcome(tree.map { $0.results[index] }, expected: expected, passing: samples == 1)
            let baselineOutcome = baseline.map { Self.outcome($0.map { $0.results[index] }, expected: expected, passing: samples == 1) }
            rows.append(Row(name: result.name, expected: expected, tree: treeOutcome, baseline: baselineOutcome))
            first.results[index].status = treeOutcome.correct ? .passed : .failed
        }
        first.seconds = seconds
        treeReport = first
        self.rows = rows
    }

    /// Votes over the samples of one case. With one sample (`passing`), correct means the
    /// run passed every assertion.
    private static func outcome(_ results: [CaseResult], expected: EvalAnswer, passing: Bool) -> Outcome {
        var outcome = Outcome(answer: nil, correct: false, answerRight: false, correctSamples: 0, samples: results.count, tokens: 0, toolCalls: 0,
                              toolErrors: 0, prunedTokens: 0, seconds: 0, problems: [], reasoning: nil)
        var votes: [(answer: JSONValue, count: Int)] = []
        for result in results {
            outcome.seconds += result.seconds
            outcome.problems += result.errors + result.failures.map(\.message)
            guard let execution = result.execution else { continue }
            if outcome.reasoning == nil { outcome.reasoning = execution.reasoning }
            let m = execution.metrics
            outcome.tokens += m.generatedTokens + m.forcedTokens + m.toolResultTokens
            outcome.toolCalls += execution.toolCalls.count
            outcome.toolErrors += execution.toolCalls.filter { if case .failure = $0.result { return true } else { return false } }.count
            outcome.prunedTokens += m.prunedTokens
            guard let answer = expected.answer(in: execution.output), answer != .null else { continue }
            if expected.accepts(answer) { outcome.correctSamples += 1 }
            let same = EvalAnswer(expected: answer, tolerance: expected.tolerance, path: "$")
            if let slot = votes.firstIndex(where: { same.accepts($0.answer) }) { votes[slot].count += 1 } else { votes.append((answer, 1)) }
        }
        // ties go to the answer seen first (the lowest seed)
        if let winner = votes.enumerated().max(by: { $0.element.count < $1.element.count || ($0.element.count == $1.element.count && $0.offset > $1.offset) }) {
            outcome.answer = winner.element.answer
        }
        outcome.answerRight = outcome.answer.map(expected.accepts) ?? false
        outcome.correct = passing ? results.first?.passed == true : outcome.answerRight
        return outcome
    }

    public var treeCorrect: Int { rows.filter(\.tree.correct).count }
    public var baselineCorrect: Int? { rows.first?.baseline == nil ? nil : rows.filter { $0.baseline?.correct == true }.count }
    /// Cases whose tree answer is right, passed or not.
    public var treeAnswersRight: Int { rows.filter(\.tree.answerRight).count }
    public var baselineAnswersRight: Int? { rows.first?.baseline == nil ? nil : rows.filter { $0.baseline?.answerRight == true }.count }

    /// Why `arbor eval` exits with status 1, nil when it exits 0: the workflow or the cases did
    /// not load, a case could not run (``erroredCases``), or the tree passed fewer than
    /// `minCorrect` cases. A low score alone is not a failure unless `minCorrect` says so:
    /// the harness's job is to measure, a CI job sets the bar.
    public func failureReason(minCorrect: Int?) -> String? {
        if !loadErrors.isEmpty { return "the workflow or the cases did not load" }
        if let (name, error) = erroredCases.first {
            return "\(erroredCases.count) case(s) could not run, first \(name): " + (error.split(separator: "\n").first.map(String.init) ?? "")
        }
        if let minCorrect, treeCorrect < minCorrect { return "the tree passed \(treeCorrect) of \(rows.count) cases, fewer than --min-correct \(minCorrect)" }
        return nil
    }

    /// `N passed, N failed` for the tree (failed includes load errors).
    public var summaryLine: String {
        "\(treeCorrect) passed, \(rows.count - treeCorrect + (loadErrors.isEmpty ? 0 : max(1, loadErrors.count))) failed"
    }
}
