import Foundation

extension TestReport {
    /// The readable report: one line per case, and under each failed case its problems with
    /// the assertion's position and a diff (`- expected`, `+ actual`). The last line is
    /// ``summaryLine``.
    ///
    /// ```text
    /// ✗ math-solver/train-distance (2.1 s)
    ///     Workflows/math-solver.yaml:62:11: $.answer equals 200
    ///     $.answer is not equal to the expected value.
    ///       - 200
    ///       + 160
    /// 0 passed, 1 failed
    /// ```
    public var text: String {
        var lines: [String] = []
        for result in results {
            if result.status == .skipped {
                lines.append("- \(result.id) skipped: \(result.errors.first ?? "")")
                continue
            }
            let mark = result.passed ? "✓" : "✗"
            lines.append("\(mark) \(result.id) (\(Self.format(seconds: result.seconds)))")
            if result.passed { continue }
            for error in result.errors {
                lines += error.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }
            }
            for failure in result.failures {
                let location = failure.assertion.location.map { "\($0): " } ?? ""
                lines.append("    \(location)\(failure.assertion.summary)")
                lines.append("    " + failure.message)
                if let diff = failure.diff {
                    lines += diff.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }
                } else if let actual = failure.actual {
                    lines += actual.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }
                }
            }
        }
        lines.append("\(results.count) case\(results.count == 1 ? "" : "s") in \(Self.format(seconds: seconds))"
                     + (skippedCount > 0 ? ", \(skippedCount) skipped" : ""))
        lines.append(summaryLine)
        return lines.joined(separator: "\n") + "\n"
    }

    static func format(seconds: Double) -> String {
        seconds < 10 ? String(format: "%.2f s", seconds) : String(format: "%.1f s", seconds)
    }
}
