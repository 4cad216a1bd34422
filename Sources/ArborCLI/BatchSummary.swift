import ArborRemote
import ArborSchema
import Foundation

/// The end of a batch of runs: a table of the runs (line, run id, status, answer or error,
/// tokens, seconds), the totals, and the same as JSON.
struct BatchSummary {
    var outcomes: [RunBatch.Outcome]
    var jobs: Int
    var seconds: Double

    var completed: Int { outcomes.filter { $0.status == .completed }.count }
    var treeTokens: Int { outcomes.reduce(0) { $0 + $1.treeTokens } }

    /// A Markdown table, one row per run in the file's order.
    var table: String {
        var lines = ["| line | run | status | answer / error | tokens | seconds |", "| ---: | --- | --- | --- | ---: | ---: |"]
        for outcome in outcomes {
            let result = outcome.output.map { $0.compactString } ?? outcome.error.map { $0.split(separator: "\n").first.map(String.init) ?? $0 } ?? ""
            lines.append(String(format: "| %d | %@ | %@ | %@ | %d | %.1f |", outcome.line, outcome.runID ?? "(not recorded)",
                                outcome.status.rawValue, Self.cell(result, limit: 72), outcome.treeTokens, outcome.seconds))
        }
        return lines.joined(separator: "\n")
    }

    /// `10 runs, 4 at once: 9 completed, 1 failed, 0 paused in 45.1 s (0.20 runs/s, 123.4 tree tokens/s)`
    var totalsLine: String {
        let failed = outcomes.filter { $0.status == .failed }.count, paused = outcomes.filter { $0.status == .paused }.count
        return String(format: "%d runs, %d at once: %d completed, %d failed, %d paused in %.1f s (%.2f runs/s, %.1f tree tokens/s)",
                      outcomes.count, jobs, completed, failed, paused, seconds,
                      seconds > 0 ? Double(completed) / seconds : 0, seconds > 0 ? Double(treeTokens) / seconds : 0)
    }

    /// The remote usage summed over the runs, when they went to a server.
    var remoteUsage: RemoteBackend.Usage? {
        let usages = outcomes.compactMap(\.usage)
        guard !usages.isEmpty else { return nil }
        return usages.reduce(RemoteBackend.Usage(), +)
    }

    var json: JSONValue {
        let runs: [JSONValue] = outcomes.map { outcome in
            var object: JSONObject = ["line": .integer(Int64(outcome.line)), "status": .string(outcome.status.rawValue),
                                      "tree_tokens": .integer(Int64(outcome.treeTokens)),
                                      "generated_tokens": .integer(Int64(outcome.generatedTokens)),
                                      "tool_calls": .integer(Int64(outcome.toolCalls)), "seconds": .number(outcome.seconds)]
            if let runID = outcome.runID { object["run_id"] = .string(runID) }
            if let output = outcome.output { object["output"] = output }
            if let error = outcome.error { object["error"] = .string(error) }
            return .object(object)
        }
        return .object(["runs": .array(runs), "jobs": .integer(Int64(jobs)), "completed": .integer(Int64(completed)),
                        "seconds": .number(seconds), "tree_tokens": .integer(Int64(treeTokens))])
    }

    /// `text` on one line, `|` escaped, cut to `limit` characters.
    static func cell(_ text: String, limit: Int) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "|", with: "\\|")
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }
}
