import ArborModel
import ArborRuntime
import ArborSchema
import ArborStore
import Foundation

/// The events of a run (``RunEvent``) a ``StoreRecorder`` collects between two commits, in the
/// order they happened: tasks opening and closing, the text written, pruning; each commit adds
/// a checkpoint event and writes them with the data they describe.
///
/// Text is grouped into one delta per task and kind until the next commit, so a live view gets
/// it as often as the recorder commits (``StoreRecorder/liveInterval``), not token by token.
/// Prompt and tool-result tokens count towards the KV slots but are not sent as text (a tool's
/// result arrives with its ``RunEvent/Kind/toolFinished`` event).
struct RunEventBuffer {
    /// The token bytes of ids (the model's tokenizer); without it text deltas carry no text.
    var tokenBytes: (([Int32]) -> [UInt8])?
    private(set) var pending: [(kind: RunEvent.Kind, payload: ReportJSON)] = []
    /// KV slots in use: tokens fed, minus those pruned or released at a round's end.
    private(set) var kvSlots = 0
    private(set) var logLength = 0
    private var round = 0
    private var checkpointed = (tokens: 0, kvSlots: 0)
    private var opened: Set<NodeKey> = []
    private var text: PendingText?
    /// Bytes of a character the last delta ended inside of, for the next one.
    private var carry: [UInt8] = []

    private struct NodeKey: Hashable {
        var round: Int
        var path: NodePath
    }

    private struct PendingText {
        var round: Int
        var path: NodePath?
        var kind: TokenKind
        var firstSeq: Int
        var ids: [Int32]
    }

    /// Goes on from a resumed run's last checkpoint, so that its KV plot continues from the
    /// slots recorded instead of starting again at 0.
    mutating func continueAfter(checkpoint payload: JSONObject) {
        guard case .integer(let tokens)? = payload["tokens"], case .integer(let slots)? = payload["kvSlots"] else { return }
        logLength = Int(tokens)
        kvSlots = Int(slots)
        if case .integer(let number)? = payload["round"] { round = Int(number) }
        checkpointed = (logLength, kvSlots)
    }

    mutating func appended(_ ids: [Int32], kind: TokenKind, firstSeq: Int, taskPath: NodePath?, round: Int) {
        kvSlots += ids.count
        logLength = max(logLength, firstSeq + ids.count)
        self.round = round
        guard kind == .generated || kind == .forced else { return }
        if let taskPath { open(taskPath, round: round, at: firstSeq) }
        if let current = text, current.path == taskPath, current.round == round, current.kind == kind,
           current.firstSeq + current.ids.count == firstSeq {
            text!.ids += ids
        } else {
            flushText()
            text = PendingText(round: round, path: taskPath, kind: kind, firstSeq: firstSeq, ids: ids)
        }
    }

    mutating func closed(_ task: TaskRecord, round: Int) {
        flushText()
        open(task.path, round: round, at: logLength)
        pending.append((.nodeClosed, .object([
            "round": .integer(round), "path": .string(task.path.description), "thought": .string(task.thought),
            "conclusion": .string(task.conclusion), "tool": .nullable(task.toolName),
        ])))
    }

    mutating func pruned(_ seqs: Range<Int>) {
        flushText()
        kvSlots = max(0, kvSlots - seqs.count)
        pending.append((.pruned, .object(["from": .integer(seqs.lowerBound), "to": .integer(seqs.upperBound)])))
    }

    mutating func released(_ seqs: Range<Int>) {
        kvSlots = max(0, kvSlots - seqs.count)
    }

    /// Everything collected, ending with a checkpoint event; the buffer starts over.
    mutating func takeForCommit() -> [(kind: RunEvent.Kind, payload: ReportJSON)] {
        flushText()
        // a commit of a tool call or a round alone changes neither
        if logLength != checkpointed.tokens || kvSlots != checkpointed.kvSlots {
            checkpointed = (logLength, kvSlots)
            pending.append((.checkpoint, .object(["tokens": .integer(logLength), "kvSlots": .integer(kvSlots), "round": .integer(round)])))
        }
        defer { pending.removeAll(keepingCapacity: true) }
        return pending
    }

    /// Opens `path` and any ancestor not yet opened in this round, outermost first; `seq` is
    /// the task's first token (a view greys the task once a pruned range covers it).
    private mutating func open(_ path: NodePath, round: Int, at seq: Int) {
        for depth in 1...path.depth {
            let key = NodeKey(round: round, path: path.prefix(depth: depth))
            guard opened.insert(key).inserted else { continue }
            flushText()
            pending.append((.nodeOpened, .object([
                "round": .integer(round), "path": .string(key.path.description), "seq": .integer(seq),
            ])))
        }
    }

    private mutating func flushText() {
        guard let current = text else { return }
        text = nil
        var bytes = carry + (tokenBytes?(current.ids) ?? [])
        let complete = bytes.count - StreamingDecoder.incompleteSuffixLength(bytes)
        carry = Array(bytes[complete...])
        bytes.removeSubrange(complete...)
        pending.append((.text, .object([
            "round": .integer(current.round),
            "path": current.path.map { .string($0.description) } ?? .null,
            "kind": .string(current.kind.rawValue), "text": .string(String(decoding: bytes, as: UTF8.self)),
            "firstSeq": .integer(current.firstSeq), "tokens": .integer(current.ids.count),
        ])))
    }
}
