import Foundation

extension TestReport {
    /// The report as JUnit XML, the format GitHub Actions test reporters, GitLab
    /// (`artifacts:reports:junit`) and Jenkins (`junit` step) read: one `<testsuite>` per
    /// workflow, one `<testcase>` per case with `classname` = workflow, `file` and `line`;
    /// a failed case has a `<failure>` (assertions, unanswered tool calls) or an `<error>`
    /// (the case could not run) and a skipped case `<skipped>`, whose text is the same as the readable report's.
    ///
    /// ```xml
    /// <testsuites name="arbor" tests="2" failures="1" errors="0" time="3.2">
    ///   <testsuite name="math-solver" tests="2" failures="1" errors="0" skipped="0" time="3.2">
    ///     <testcase name="train-distance" classname="math-solver" file="Workflows/math-solver.yaml" line="58" time="1.6">
    ///       <failure message="$.answer equals 200" type="assertion">…</failure>
    ///     </testcase>
    /// ```
    public var junitXML: String {
        var suites: [(name: String, results: [CaseResult])] = []
        for result in results {
            if let index = suites.firstIndex(where: { $0.name == result.suite }) { suites[index].results.append(result) }
            else { suites.append((result.suite, [result])) }
        }
        func count(_ list: [CaseResult], _ status: CaseResult.Status) -> Int { list.filter { $0.status == status }.count }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"arbor\" tests=\"\(results.count)\" failures=\"\(count(results, .failed))\" errors=\"\(count(results, .error))\" skipped=\"\(count(results, .skipped))\" time=\"\(Self.seconds(seconds))\">\n"
        for suite in suites {
            let time = suite.results.reduce(0) { $0 + $1.seconds }
            xml += "  <testsuite name=\"\(Self.escape(suite.name))\" tests=\"\(suite.results.count)\" failures=\"\(count(suite.results, .failed))\""
                + " errors=\"\(count(suite.results, .error))\" skipped=\"\(count(suite.results, .skipped))\" time=\"\(Self.seconds(time))\">\n"
            for result in suite.results {
                xml += "    <testcase name=\"\(Self.escape(result.name))\" classname=\"\(Self.escape(result.suite))\""
                    + " file=\"\(Self.escape(result.location.file))\" line=\"\(result.location.line)\" time=\"\(Self.seconds(result.seconds))\""
                switch result.status {
                case .passed:
                    xml += "/>\n"
                    continue
                case .skipped:
                    xml += ">\n      <skipped message=\"\(Self.escape(Self.firstLine(result.errors.first ?? "skipped")))\"/>\n"
                case .failed:
                    let message = result.failures.first.map { $0.assertion.summary } ?? result.errors.first ?? "failed"
                    xml += ">\n      <failure message=\"\(Self.escape(Self.firstLine(message)))\" type=\"assertion\">"
                    xml += Self.escape(Self.details(of: result)) + "</failure>\n"
                case .error:
                    xml += ">\n      <error message=\"\(Self.escape(Self.firstLine(result.errors.first ?? "error")))\" type=\"error\">"
                    xml += Self.escape(Self.details(of: result)) + "</error>\n"
                }
                xml += "    </testcase>\n"
            }
            xml += "  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
    }

    /// The body of a failure: what the text report prints under the case.
    private static func details(of result: CaseResult) -> String {
        var lines = result.errors
        for failure in result.failures {
            lines.append((failure.assertion.location.map { "\($0): " } ?? "") + failure.assertion.summary)
            lines.append(failure.message)
            if let diff = failure.diff ?? failure.actual { lines.append(diff) }
        }
        return lines.joined(separator: "\n")
    }

    private static func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
    }

    private static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    /// Escapes XML's special characters and drops what XML 1.0 cannot hold (control
    /// characters other than tab, newline and carriage return).
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
