import ArborRuntime
import ArborSchema
import ArborStore
import ArborTools

extension RunStore {
    /// A recorded run's progress after its prompt, for ``WorkflowRunner/run(inputs:resuming:)``:
    /// the token log and the finished tool calls in order (a call recorded as started but not
    /// finished is left out, so it is made again).
    public func recordedProgress(runID: String) throws -> RecordedProgress {
        let all = try tokens(runID: runID)
        let firstPrompt = all.prefix { $0.kind == .prompt }
        let log = all.dropFirst(firstPrompt.count)
        var outcomes: [ToolOutcome] = []
        guard try run(id: runID) != nil else { throw StoreError.runNotFound(runID: runID) }
        for call in try toolCalls(runID: runID) {
            let arguments = (try? JSONValue(parsing: call.argumentsJSON)) ?? .string(call.argumentsJSON)
            switch call.status {
            case .succeeded:
                let value = (try? JSONValue(parsing: call.resultJSON ?? "null")) ?? .null
                outcomes.append(ToolOutcome(tool: call.toolName, arguments: arguments, result: .success(value), duration: .zero))
            case .failed:
                outcomes.append(ToolOutcome(tool: call.toolName, arguments: arguments,
                                            result: .failure(.recorded(tool: call.toolName, message: call.errorText ?? "")), duration: .zero))
            case .started:
                break
            }
        }
        var progress = RecordedProgress(promptTokens: firstPrompt.map(\.tokenID),
                                        tokens: log.map { ($0.tokenID, TokenKind($0.kind)) }, toolCalls: outcomes)
        if let last = all.last?.seq, let rowBytes = try kvRowByteCount(runID: runID, coveringCachedTokensIn: 0..<last) {
            let store = self
            progress.kvRows = { seqs, body in try store.forEachKVRow(runID: runID, seqs: seqs, body) }
            progress.kvRowByteCount = rowBytes
        }
        return progress
    }
}

// The store's token kinds are the runtime's, spelled the same: the store keeps its own type
// so that it needs nothing from the runtime.
extension TokenRecord.Kind {
    init(_ kind: TokenKind) { self = Self(rawValue: kind.rawValue)! }
}

extension TokenKind {
    init(_ kind: TokenRecord.Kind) { self = Self(rawValue: kind.rawValue)! }
}
