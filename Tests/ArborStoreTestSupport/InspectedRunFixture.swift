import ArborSchema
import ArborStore
import Foundation

/// A run with every kind of record at fixed times, for the report tests and the `arbor`
/// binary tests: two top-level tasks (one with two subtasks, one still open), a succeeded and
/// a failed tool call, a finished and an open round, pruned tokens and KV rows.
public enum InspectedRunFixture {
    public static let id = "r-insp01"
    /// 2026-11-18 11:06:40 UTC.
    public static let base = Date(timeIntervalSince1970: 1_795_000_000)
    /// Three minutes after the run started.
    public static let now = base.addingTimeInterval(180)

    public static func populate(_ store: RunStore, id: String = id, workflow: String = "triage") throws {
        try store.createRun(Run(
            id: id, workflow: workflow, specText: "name: \(workflow)\n", specSHA256: sampleSHA,
            inputsJSON: #"{"ticket":"disk full on /var","priority":2}"#, modelPath: "/models/m.gguf",
            modelSHA256: String(repeating: "cd", count: 32), samplingJSON: #"{"temperature":0,"seed":7}"#,
            createdAt: base))
        try store.checkpoint { tx in
            let tokens = (0..<40).map { seq in
                TokenRecord(
                    runID: id, seq: seq, tokenID: Int32(100 + seq),
                    kind: seq < 10 ? .prompt : seq < 30 ? .generated : seq < 34 ? .toolResult : .forced,
                    round: seq < 36 ? 0 : 1, taskPath: seq < 10 ? nil : NodePath([seq < 30 ? 0 : 1]))
            }
            try tx.appendTokens(tokens, to: id, at: base.addingTimeInterval(1))
            try tx.markPruned(id, seqs: 12..<24)
            try tx.upsertNode(TreeNode(
                runID: id, path: NodePath([0]), round: 0, thought: "Find what fills the disk",
                conclusion: "The logs in /var/log fill it", state: .closed, firstTokenSeq: 10, endTokenSeq: 30))
            try tx.upsertNode(TreeNode(
                runID: id, path: NodePath([0, 0]), round: 0, thought: "Check the largest directories",
                conclusion: "/var/log holds 38 GB", state: .pruned, firstTokenSeq: 12, endTokenSeq: 18))
            try tx.upsertNode(TreeNode(
                runID: id, path: NodePath([0, 1]), round: 0, thought: "Look for\nrotation   settings",
                conclusion: "logrotate is off", state: .pruned, firstTokenSeq: 18, endTokenSeq: 24))
            try tx.upsertNode(TreeNode(
                runID: id, path: NodePath([1]), round: 1, thought: "Write the answer", state: .open, firstTokenSeq: 36))
            try tx.recordToolCall(ToolCall(
                runID: id, seq: 0, toolName: "disk_usage", argumentsJSON: #"{"path":"/var"}"#,
                nodePath: NodePath([0, 0]), tokenSeq: 30, status: .succeeded, resultJSON: #"{"log":38.2,"cache":1.5}"#,
                startedAt: base.addingTimeInterval(20), finishedAt: base.addingTimeInterval(20.25)))
            try tx.recordToolCall(ToolCall(
                runID: id, seq: 1, toolName: "read_file", argumentsJSON: #"{"path":"/etc/logrotate.conf"}"#,
                nodePath: NodePath([0, 1]), status: .failed, errorText: "permission denied",
                startedAt: base.addingTimeInterval(30), finishedAt: base.addingTimeInterval(31.5)))
            try tx.saveRound(Round(
                runID: id, number: 0, summary: "The disk is full of logs because logrotate is off.",
                promptTokens: 10, generatedTokens: 26, peakKeptTokens: 36,
                startedAt: base, finishedAt: base.addingTimeInterval(60)))
            try tx.saveRound(Round(runID: id, number: 1, promptTokens: 0, generatedTokens: 4, peakKeptTokens: 28,
                                   startedAt: base.addingTimeInterval(60)))
            // rows of the 28 kept tokens (seqs 12..<40), 1,000 bytes each
            try [UInt8](repeating: 7, count: 28 * 1000).withUnsafeBytes {
                try tx.appendKVRows(runID: id, firstSeq: 12, rowBytes: 1000, data: $0)
            }
            // The last write sets updatedAt (saveRound stamps the wall clock).
            try tx.updateRunStatus(id, to: .paused, at: base.addingTimeInterval(120))
        }
    }
}
