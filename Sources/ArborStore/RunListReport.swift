import Foundation

/// What `arbor runs` prints: the stored runs, newest first, as a table or as JSON.
///
/// ```swift
/// let runs = try store.listRuns(limit: 20)
/// print(RunListReport.text(runs, total: try store.runCount(), now: Date()), terminator: "")
/// ```
public enum RunListReport {
    /// A table of id, workflow, status, progress (tokens, tool calls, rounds) and age.
    ///
    /// `total` is how many runs the database holds; when it is more than `runs.count` a last
    /// line says how many were left out. No runs at all prints one sentence instead of a table.
    public static func text(_ runs: [RunSummary], total: Int? = nil, databasePath: String? = nil, now: Date) -> String {
        guard !runs.isEmpty else {
            let place = databasePath.map { " in \($0)" } ?? ""
            return "No runs\(place) yet; `arbor run SPEC.yaml` records one.\n"
        }
        var table = TextTable([
            .init("ID"), .init("WORKFLOW"), .init("STATUS"),
            .init("TOKENS", alignment: .right), .init("TOOL CALLS", alignment: .right),
            .init("ROUNDS", alignment: .right), .init("AGE"),
        ])
        for run in runs {
            table.append([
                run.id, run.workflow, run.status.rawValue,
                ReportFormat.grouped(run.tokenCount), ReportFormat.grouped(run.toolCallCount),
                ReportFormat.grouped(run.roundCount), ReportFormat.age(of: run.createdAt, now: now),
            ])
        }
        var output = table.rendered()
        if let total, total > runs.count {
            output += "(\(runs.count) of \(total) runs shown; --limit 0 shows all)\n"
        }
        return output
    }

    /// A JSON array, newest first, of `{id, workflow, status, createdAt, updatedAt, tokens,
    /// toolCalls, rounds}` (timestamps in ISO 8601 UTC).
    public static func json(_ runs: [RunSummary]) -> String {
        ReportJSON.array(runs.map(jsonValue)).rendered()
    }

    static func jsonValue(_ run: RunSummary) -> ReportJSON {
        .object([
            "id": .string(run.id),
            "workflow": .string(run.workflow),
            "status": .string(run.status.rawValue),
            "createdAt": .string(ReportFormat.iso8601(run.createdAt)),
            "updatedAt": .string(ReportFormat.iso8601(run.updatedAt)),
            "tokens": .integer(run.tokenCount),
            "toolCalls": .integer(run.toolCallCount),
            "rounds": .integer(run.roundCount),
        ])
    }
}
