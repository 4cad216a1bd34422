import ArborSchema

/// Follows the reasoning tree as the model writes it: which task each byte belongs to, when a
/// `subtasks` list closes (so the runtime can prune it) and which tool call a
/// `"tool_result":` hole asks for.
///
/// Only the tree's own structure counts: a key named `subtasks` inside a tool's parameters,
/// a tool result or the answer is plain data.
struct TreeTracker: Sendable {
    /// What finished with the bytes just consumed.
    enum Event: Sendable, Equatable {
        /// A task object closed; its thought and conclusion as written.
        case taskFinished(NodePath, thought: String, conclusion: String, toolName: String?)
        /// A `subtasks` list of the task at `parent` closed; `interior` spans the bytes between
        /// its brackets.
        case subtaskListClosed(parent: NodePath, interior: Range<Int>)
    }

    private enum Role: Sendable { case root, taskList, task, toolUse, other }

    /// What the tracker learned about an open task.
    private struct TaskFields: Sendable {
        var thought: Range<Int>?
        var conclusion: Range<Int>?
        var toolName: Range<Int>?
        var parameters: Range<Int>?
    }

    private var scanner = JSONStructureScanner()
    private var roles: [Role] = []
    /// Fields of the open tasks, innermost last.
    private var openTasks: [TaskFields] = []
    private var scannerEvents: [JSONStructureScanner.Event] = []
    /// Every byte of the tree document so far.
    private(set) var document: [UInt8] = []
    /// The range of the root's `answer` (or `summary`) value, once written.
    private(set) var answerRange: Range<Int>?
    private(set) var summaryRange: Range<Int>?

    /// The path of the innermost open task (nil outside any task).
    var currentPath: NodePath? { openTasks.isEmpty ? nil : innermostTaskPath }

    /// The path of the innermost open task; there must be one.
    private var innermostTaskPath: NodePath {
        var path: [Int] = []
        for (frame, role) in zip(scanner.frames, roles) where role == .taskList {
            path.append(max(frame.elementCount - 1, 0))
        }
        return NodePath(Array(path.prefix(openTasks.count)))
    }

    /// Whether the document ends right after a top-level task, inside the `reasoning` list:
    /// where a round may close with a summary.
    var isAtTopLevelBoundary: Bool {
        scanner.frames.count == 2 && roles.last == .taskList && document.last == UInt8(ascii: "}")
    }

    /// Whether the document stands in the root's final value: the `answer` (or `summary`)
    /// key is written, so what follows is that value. A round that closes at its token limit
    /// lets the model write this value itself (``TokenLimitClosing``).
    var isInFinalValue: Bool {
        guard let root = scanner.frames.first else { return false }
        return root.currentKey == "answer" || root.currentKey == "summary"
    }

    /// How many of `bytes`, appended to the document, bring it to the start of the root's
    /// final value (its key and the colon after it); nil when they never do.
    ///
    /// ```swift
    /// // the document ends inside a top-level task's conclusion:
    /// tracker.bytesToFinalValue(in: Array(#""}],"answer":{"result":""}}"#.utf8))   // 13
    /// ```
    func bytesToFinalValue(in bytes: [UInt8]) -> Int? {
        var probe = self
        for (index, byte) in bytes.enumerated() {
            _ = probe.consume([byte])
            if byte == UInt8(ascii: ":") && probe.isInFinalValue { return index + 1 }
        }
        return nil
    }

    /// The summary's text, once written.
    var summaryText: String? { summaryRange.map { text($0) } }

    /// Consumes `bytes` and returns what they finished, in order.
    mutating func consume(_ bytes: [UInt8]) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            document.append(byte)
            scanner.consume(byte, into: &scannerEvents)
            for event in scannerEvents { handle(event, into: &events) }
            scannerEvents.removeAll(keepingCapacity: true)
        }
        return events
    }

    /// The tool call whose result is due: the name and the parameters text of the innermost
    /// task's `tooluse`, once both are written.
    var pendingToolCall: (name: String, parameters: [UInt8])? {
        guard let task = openTasks.last, let name = task.toolName, let parameters = task.parameters,
              case .string(let toolName)? = try? JSONValue(parsing: Array(document[name])) else { return nil }
        return (toolName, Array(document[parameters]))
    }

    private mutating func handle(_ event: JSONStructureScanner.Event, into events: inout [Event]) {
        switch event {
        case .opened(let container, let key, let depth, _):
            let parent = depth > 0 ? roles[depth - 1] : nil
            let role: Role
            switch (container, parent, key) {
            case (.object, nil, _): role = .root
            case (.array, .root?, "reasoning"?), (.array, .task?, "subtasks"?): role = .taskList
            case (.object, .taskList?, _): role = .task
            case (.object, .task?, "tooluse"?): role = .toolUse
            default: role = .other
            }
            roles.append(role)
            if role == .task { openTasks.append(TaskFields()) }
        case .closed(_, let key, let depth, let range):
            let role = roles.removeLast()
            let parent = depth > 0 ? roles[depth - 1] : nil
            switch role {
            case .task:
                let path = innermostTaskPath
                let fields = openTasks.removeLast()
                events.append(.taskFinished(path, thought: text(fields.thought), conclusion: text(fields.conclusion),
                                            toolName: fields.toolName.map(text)))
            case .taskList where key == "subtasks":
                events.append(.subtaskListClosed(parent: innermostTaskPath, interior: (range.lowerBound + 1)..<range.upperBound))
            default:
                break
            }
            valueEnded(key: key, parent: parent, range: range.lowerBound..<(range.upperBound + 1))
        case .scalar(let key, let depth, let range):
            valueEnded(key: key, parent: depth >= 0 ? roles[depth] : nil, range: range)
        }
    }

    /// Records the values the tracker needs: task fields, the tool call, the answer.
    private mutating func valueEnded(key: String?, parent: Role?, range: Range<Int>) {
        switch (parent, key) {
        case (.task?, "thought"?): openTasks[openTasks.count - 1].thought = range
        case (.task?, "conclusion"?): openTasks[openTasks.count - 1].conclusion = range
        case (.toolUse?, "tool_name"?): openTasks[openTasks.count - 1].toolName = range
        case (.toolUse?, "parameters"?): openTasks[openTasks.count - 1].parameters = range
        case (.root?, "answer"?): answerRange = range
        case (.root?, "summary"?): summaryRange = range
        default: break
        }
    }

    /// A string value's text (empty when absent).
    private func text(_ range: Range<Int>?) -> String {
        guard let range, case .string(let value)? = try? JSONValue(parsing: Array(document[range])) else { return "" }
        return value
    }
}
