import Foundation

/// What `arbor inspect RUN_ID` prints: a run's header, reasoning tree, tool calls, rounds,
/// token statistics and the KV rows kept, as readable text (this file) or one JSON object
/// (`RunDetailsReport+JSON.swift`).
///
/// Text cuts long thoughts, conclusions, arguments and results to one line; the JSON form
/// holds everything in full.
///
/// ```swift
/// let details = try store.loadRun(id: "r-7f3k2q")
/// print(RunDetailsReport.text(details, now: Date()), terminator: "")
/// ```
public enum RunDetailsReport {
    /// The widest a one-line field (thought, arguments, result…) is printed in text.
    static let lineLimit = 160

    /// The readable report, sections separated by blank lines.
    public static func text(_ details: RunDetails, now: Date) -> String {
        [header(details, now: now), tree(details.nodes), toolCalls(details.toolCalls), rounds(details.rounds),
         tokens(details.tokens), kvRows(details.kvRows)]
            .joined(separator: "\n")
    }

    static func header(_ details: RunDetails, now: Date) -> String {
        let run = details.run
        var lines = ["run \(run.id) · \(run.workflow) · \(run.status.rawValue)"]
        func field(_ name: String, _ value: String) {
            let label = name.padding(toLength: 10, withPad: " ", startingAt: 0)
            let continuation = "\n" + String(repeating: " ", count: 12)
            lines.append("  " + label + value.split(separator: "\n", omittingEmptySubsequences: false)
                .joined(separator: continuation))
        }
        field("created", "\(ReportFormat.timestamp(run.createdAt)) (\(ReportFormat.age(of: run.createdAt, now: now)))")
        field("updated", "\(ReportFormat.timestamp(run.updatedAt)) (\(ReportFormat.age(of: run.updatedAt, now: now)))")
        field("progress", "\(count(run.tokenCount, "token")) · \(count(run.toolCallCount, "tool call")) · \(count(run.roundCount, "round"))")
        field("spec", "sha256 \(run.specSHA256)")
        field("model", "\(run.modelPath) (sha256 \(run.modelSHA256))")
        field("inputs", ReportFormat.oneLine(run.inputsJSON, limit: lineLimit))
        field("sampling", ReportFormat.oneLine(run.samplingJSON, limit: lineLimit))
        if let source = run.forkedFromRunID {
            field("forked", "from \(source)" + (run.forkedAtPath.map { " at task \($0)" } ?? "")
                + (run.forkedAtRound.map { " of round \($0)" } ?? ""))
        }
        if let output = run.outputJSON { field("output", output) }
        if run.closedAtTokenLimit {
            field("finish", "closed at the token limit: the tree was closed the shortest way and the answer written in the tokens held in reserve (not a normal finish)")
        }
        if let error = run.errorText { field("error", error) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Tasks in path order, each indented two spaces per level below the top.
    static func tree(_ nodes: [TreeNode]) -> String {
        guard !nodes.isEmpty else { return "tree: no tasks recorded\n" }
        let states = NodeState.allCases.compactMap { state -> String? in
            let n = nodes.filter { $0.state == state }.count
            return n == 0 ? nil : "\(n) \(state.rawValue)"
        }
        let showRounds = nodes.contains { $0.round > 0 }
        var lines = ["tree (\(count(nodes.count, "task")): \(states.joined(separator: ", ")))"]
        for node in nodes {
            let indent = String(repeating: "  ", count: node.depth)
            let round = showRounds ? "  round \(node.round)" : ""
            let thought = node.thought.map { ReportFormat.oneLine($0, limit: lineLimit) } ?? "(no thought yet)"
            lines.append("\(indent)\(node.path)  [\(node.state.rawValue)]\(round)  \(thought)")
            if let conclusion = node.conclusion {
                let under = indent + String(repeating: " ", count: node.path.description.count + 2)
                lines.append("\(under)→ \(ReportFormat.oneLine(conclusion, limit: lineLimit))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func toolCalls(_ calls: [ToolCall]) -> String {
        guard !calls.isEmpty else { return "tool calls: none\n" }
        var lines = ["tool calls (\(calls.count))"]
        for call in calls {
            var summary = "  #\(call.seq)  \(call.toolName)"
            if let task = call.nodePath { summary += "  task \(task)" }
            switch call.status {
            case .started: summary += "  started, no result recorded"
            case .succeeded, .failed: summary += "  \(call.status.rawValue)"
            }
            if let finished = call.finishedAt {
                summary += "  \(ReportFormat.duration(finished.timeIntervalSince(call.startedAt)))"
            }
            lines.append(summary)
            lines.append("      arguments  \(ReportFormat.oneLine(call.argumentsJSON, limit: lineLimit))")
            if let result = call.resultJSON {
                lines.append("      result     \(ReportFormat.oneLine(result, limit: lineLimit))")
            }
            if let error = call.errorText {
                lines.append("      error      \(ReportFormat.oneLine(error, limit: lineLimit))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func rounds(_ rounds: [Round]) -> String {
        guard !rounds.isEmpty else { return "rounds: none\n" }
        var lines = ["rounds (\(rounds.count))"]
        for round in rounds {
            let state = round.finishedAt == nil ? "  in progress" : ""
            lines.append("  #\(round.number)  prompt \(ReportFormat.grouped(round.promptTokens))"
                + " · generated \(ReportFormat.grouped(round.generatedTokens))"
                + " · peak kept \(ReportFormat.grouped(round.peakKeptTokens))\(state)")
            if let summary = round.summary {
                lines.append("      summary  \(ReportFormat.oneLine(summary, limit: lineLimit))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func tokens(_ statistics: TokenStatistics) -> String {
        guard statistics.total > 0 else { return "tokens: none logged\n" }
        let kinds = TokenRecord.Kind.allCases.map { "\(kindName($0)) \(ReportFormat.grouped(statistics.byKind[$0] ?? 0))" }
        return "tokens  \(ReportFormat.grouped(statistics.total)) logged: "
            + "\(ReportFormat.grouped(statistics.pruned)) pruned (\(ReportFormat.percent(statistics.pruned, of: statistics.total))), "
            + "\(ReportFormat.grouped(statistics.kept)) kept\n"
            + "  " + kinds.joined(separator: " · ") + "\n"
    }

    static func kvRows(_ statistics: KVRowStatistics) -> String {
        guard statistics.rows > 0 else { return "kv rows: none kept (a resume recomputes the context)\n" }
        return "kv rows \(count(statistics.rows, "token")) kept, \(ReportFormat.bytes(statistics.bytes)) (a resume copies them back)\n"
    }

    /// `1 token`, `4,000 tokens`.
    static func count(_ value: Int, _ noun: String) -> String {
        "\(ReportFormat.grouped(value)) \(noun)\(value == 1 ? "" : "s")"
    }

    static func kindName(_ kind: TokenRecord.Kind) -> String {
        switch kind {
        case .prompt: "prompt"
        case .generated: "generated"
        case .forced: "forced"
        case .toolResult: "tool result"
        }
    }
}
