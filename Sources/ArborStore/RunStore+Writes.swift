import ArborSchema
import Foundation

/// One-transaction conveniences: each method is ``RunStore/checkpoint(_:)`` around the
/// ``StoreTransaction`` method of the same name (see there for what it checks).
extension RunStore {
    public func createRun(_ run: Run) throws {
        try checkpoint { try $0.createRun(run) }
    }

    public func updateRunStatus(_ runID: String, to status: RunStatus) throws {
        try checkpoint { try $0.updateRunStatus(runID, to: status) }
    }

    public func finishRun(_ runID: String, outputJSON: String, closedAtTokenLimit: Bool = false) throws {
        try checkpoint { try $0.finishRun(runID, outputJSON: outputJSON, closedAtTokenLimit: closedAtTokenLimit) }
    }

    public func failRun(_ runID: String, error: String) throws {
        try checkpoint { try $0.failRun(runID, error: error) }
    }

    public func deleteRun(_ runID: String) throws {
        try checkpoint { try $0.deleteRun(runID) }
    }

    public func appendTokens(_ tokens: [TokenRecord], to runID: String) throws {
        try checkpoint { try $0.appendTokens(tokens, to: runID) }
    }

    public func copyTokenLog(from sourceRunID: String, count: Int, to runID: String) throws {
        try checkpoint { try $0.copyTokenLog(from: sourceRunID, count: count, to: runID) }
    }

    @discardableResult
    public func markPruned(_ runID: String, seqs range: Range<Int>) throws -> Int {
        try checkpoint { try $0.markPruned(runID, seqs: range) }
    }

    public func upsertNode(_ node: TreeNode) throws {
        try checkpoint { try $0.upsertNode(node) }
    }

    @discardableResult
    public func recordToolCallStarted(
        runID: String, seq: Int, toolName: String, argumentsJSON: String,
        nodePath: NodePath? = nil, tokenSeq: Int? = nil
    ) throws -> ToolCall {
        try checkpoint {
            try $0.recordToolCallStarted(
                runID: runID, seq: seq, toolName: toolName, argumentsJSON: argumentsJSON,
                nodePath: nodePath, tokenSeq: tokenSeq)
        }
    }

    public func recordToolCallFinished(runID: String, seq: Int, outcome: ToolCallOutcome) throws {
        try checkpoint { try $0.recordToolCallFinished(runID: runID, seq: seq, outcome: outcome) }
    }

    public func recordToolCall(_ call: ToolCall) throws {
        try checkpoint { try $0.recordToolCall(call) }
    }

    public func saveRound(_ round: Round) throws {
        try checkpoint { try $0.saveRound(round) }
    }

}
