import ArborSchema
import Foundation

extension EvalReport {
    /// The readable report: a table with one line per case (the tree's answer and figures, and
    /// next to them plain chat's), the first problem of each case the tree got wrong, the
    /// totals of both, and last the line `N passed, N failed` (the tree's cases). `ok` is
    /// the case's verdict (passed), `ans` whether the answer alone is right: a tree closed at
    /// its token limit may have the right answer and still fail.
    ///
    /// ```text
    /// case     expected  tree  ok  ans  tokens  tools  errors  pruned  time   | plain  ok  ans  tokens  time
    /// wp-001   66        66    ✓   ✓    183     2      0       0.0%    4.1 s  | 66     ✓   ✓    120     2.0 s
    /// tree: 12/20 passed (60.0 %) · 14/20 answers right (70.0 %) · 3,400 tokens · 30 tool calls · 1 tool error · 0.0 % pruned · 82.1 s
    /// plain chat (free text, no tools): 11/20 passed (55.0 %) · 11/20 answers right (55.0 %) · 2,900 tokens · 71.2 s
    /// 12 passed, 8 failed
    /// ```
    public var text: String {
        var lines: [String] = loadErrors
        var table: [[String]] = []
        var header = ["case", "expected", "tree", "ok", "ans", "tokens", "tools", "errors", "pruned", "time"]
        if samples > 1 { header.insert("right", at: 5) }
        let hasBaseline = rows.first?.baseline != nil
        if hasBaseline { header += ["|", "plain", "ok", "ans", "tokens", "time"] + (samples > 1 ? ["right"] : []) }
        table.append(header)
        for row in rows {
            var cells = [row.name, Self.short(row.expected.expected), Self.short(row.tree.answer), Self.mark(row.tree.correct),
                         Self.mark(row.tree.answerRight), "\(row.tree.tokens)", "\(row.tree.toolCalls)", "\(row.tree.toolErrors)",
                         String(format: "%.1f%%", 100 * row.tree.prunedShare), Self.seconds(row.tree.seconds)]
            if samples > 1 { cells.insert("\(row.tree.correctSamples)/\(row.tree.samples)", at: 5) }
            if let plain = row.baseline {
                cells += ["|", Self.short(plain.answer), Self.mark(plain.correct), Self.mark(plain.answerRight), "\(plain.tokens)", Self.seconds(plain.seconds)]
                if samples > 1 { cells.append("\(plain.correctSamples)/\(plain.samples)") }
            }
            table.append(cells)
        }
        let widths = (0..<header.count).map { column in table.map { $0[column].count }.max() ?? 0 }
        for cells in table {
            lines.append(zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces))
        }
        for row in rows where !row.tree.correct {
            if let problem = row.tree.problems.first {
                lines.append("✗ \(row.name): " + (problem.split(separator: "\n").first.map(String.init) ?? ""))
            }
        }
        let count = rows.count
        let tree = total(\.tree)
        lines.append("tree: \(treeCorrect)/\(count) passed (\(Self.percent(treeCorrect, count)))"
                     + " · \(treeAnswersRight)/\(count) answers right (\(Self.percent(treeAnswersRight, count)))"
                     + " · \(tree.tokens) tokens · \(tree.toolCalls) tool calls · \(tree.toolErrors) tool errors"
                     + String(format: " · %.1f%% pruned", 100 * tree.prunedShare) + " · " + Self.seconds(tree.seconds)
                     + (samples > 1 ? " · \(samples) samples per case, majority vote" : ""))
        if let baselineCorrect, let baselineAnswersRight {
            let plain = total { $0.baseline! }
            lines.append("\(baselineLabel): \(baselineCorrect)/\(count) passed (\(Self.percent(baselineCorrect, count)))"
                         + " · \(baselineAnswersRight)/\(count) answers right (\(Self.percent(baselineAnswersRight, count)))"
                         + " · \(plain.tokens) tokens · " + Self.seconds(plain.seconds))
        }
        lines.append(summaryLine)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Sums of one column's outcomes over all rows.
    func total(_ outcome: (Row) -> Outcome) -> Outcome {
        var sum = Outcome(answer: nil, correct: false, answerRight: false, correctSamples: 0, samples: 0, tokens: 0, toolCalls: 0, toolErrors: 0,
                          prunedTokens: 0, seconds: 0, problems: [], reasoning: nil)
        for row in rows {
            let one = outcome(row)
            sum.correctSamples += one.correctSamples
            sum.samples += one.samples
            sum.tokens += one.tokens
            sum.toolCalls += one.toolCalls
            sum.toolErrors += one.toolErrors
            sum.prunedTokens += one.prunedTokens
            sum.seconds += one.seconds
        }
        return sum
    }

    private static func short(_ value: JSONValue?) -> String {
        guard let value else { return "—" }
        let text = value.stringValue ?? value.compactString
        return text.count > 14 ? String(text.prefix(13)) + "…" : text
    }

    private static func mark(_ yes: Bool) -> String { yes ? "✓" : "✗" }

    private static func seconds(_ value: Double) -> String { String(format: "%.1f s", value) }

    private static func percent(_ part: Int, _ whole: Int) -> String {
        whole == 0 ? "0 %" : String(format: "%.1f %%", 100 * Double(part) / Double(whole))
    }
}
