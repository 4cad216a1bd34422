import Foundation

extension RunDetailsReport {
    /// Everything ``text(_:now:)`` shows, in full, as one JSON object:
    /// `{id, workflow, status, createdAt, updatedAt, specSHA256, specText, modelPath,
    /// modelSHA256, inputs, sampling, output, error, forkedFrom, progress, tree, toolCalls,
    /// rounds, tokens, kvRows}`.
    ///
    /// Stored JSON (inputs, sampling, output, tool arguments and results) is embedded as JSON,
    /// not as strings; timestamps are ISO 8601 UTC; the tree is a list in path order whose
    /// nodes name their `parentPath`.
    public static func json(_ details: RunDetails) -> String {
        jsonValue(details).rendered()
    }

    static func jsonValue(_ details: RunDetails) -> ReportJSON {
        let run = details.run
        let forkedFrom: ReportJSON = run.forkedFromRunID.map { source in
            .object(["runID": .string(source), "atPath": .nullable(run.forkedAtPath?.description),
                     "atRound": .nullable(run.forkedAtRound)])
        } ?? .null
        return .object([
            "id": .string(run.id),
            "workflow": .string(run.workflow),
            "status": .string(run.status.rawValue),
            "createdAt": .string(ReportFormat.iso8601(run.createdAt)),
            "updatedAt": .string(ReportFormat.iso8601(run.updatedAt)),
            "specSHA256": .string(run.specSHA256),
            "specText": .string(run.specText),
            "modelPath": .string(run.modelPath),
            "modelSHA256": .string(run.modelSHA256),
            "inputs": .embedding(run.inputsJSON),
            "sampling": .embedding(run.samplingJSON),
            "output": .embedding(run.outputJSON),
            "error": .nullable(run.errorText),
            "closedAtTokenLimit": .bool(run.closedAtTokenLimit),
            "forkedFrom": forkedFrom,
            "progress": .object([
                "tokens": .integer(run.tokenCount),
                "toolCalls": .integer(run.toolCallCount),
                "rounds": .integer(run.roundCount),
            ]),
            "tree": .array(details.nodes.map(jsonValue)),
            "toolCalls": .array(details.toolCalls.map(jsonValue)),
            "rounds": .array(details.rounds.map(jsonValue)),
            "tokens": jsonValue(details.tokens),
            "kvRows": .object(["rows": .integer(details.kvRows.rows), "bytes": .integer(details.kvRows.bytes)]),
        ])
    }

    static func jsonValue(_ node: TreeNode) -> ReportJSON {
        .object([
            "path": .string(node.path.description),
            "parentPath": .nullable(node.parentPath?.description),
            "depth": .integer(node.depth),
            "round": .integer(node.round),
            "state": .string(node.state.rawValue),
            "thought": .nullable(node.thought),
            "conclusion": .nullable(node.conclusion),
            "firstTokenSeq": .nullable(node.firstTokenSeq),
            "endTokenSeq": .nullable(node.endTokenSeq),
        ])
    }

    static func jsonValue(_ call: ToolCall) -> ReportJSON {
        let milliseconds = call.finishedAt.map { Int(($0.timeIntervalSince(call.startedAt) * 1_000).rounded()) }
        return .object([
            "seq": .integer(call.seq),
            "tool": .string(call.toolName),
            "nodePath": .nullable(call.nodePath?.description),
            "tokenSeq": .nullable(call.tokenSeq),
            "status": .string(call.status.rawValue),
            "arguments": .embedding(call.argumentsJSON),
            "result": .embedding(call.resultJSON),
            "error": .nullable(call.errorText),
            "startedAt": .string(ReportFormat.iso8601(call.startedAt)),
            "finishedAt": .nullable(call.finishedAt.map(ReportFormat.iso8601)),
            "durationMs": .nullable(milliseconds),
        ])
    }

    static func jsonValue(_ round: Round) -> ReportJSON {
        .object([
            "number": .integer(round.number),
            "summary": .nullable(round.summary),
            "promptTokens": .integer(round.promptTokens),
            "generatedTokens": .integer(round.generatedTokens),
            "peakKeptTokens": .integer(round.peakKeptTokens),
            "startedAt": .string(ReportFormat.iso8601(round.startedAt)),
            "finishedAt": .nullable(round.finishedAt.map(ReportFormat.iso8601)),
        ])
    }

    static func jsonValue(_ statistics: TokenStatistics) -> ReportJSON {
        .object([
            "total": .integer(statistics.total),
            "kept": .integer(statistics.kept),
            "pruned": .integer(statistics.pruned),
            "prunedShare": .number(statistics.total == 0 ? 0 : Double(statistics.pruned) / Double(statistics.total)),
            "byKind": .object(members: TokenRecord.Kind.allCases.map { .init($0.rawValue, .integer(statistics.byKind[$0] ?? 0)) }),
        ])
    }
}
