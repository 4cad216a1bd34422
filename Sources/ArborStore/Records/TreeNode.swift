import ArborSchema
import GRDB

/// The life of a task node in the reasoning tree.
public enum NodeState: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// Being decoded.
    case open
    /// Finished; its tokens are still in working memory.
    case closed
    /// Finished and its subtasks' tokens dropped from working memory (only the conclusion stays).
    case pruned
}

/// One task of a run's reasoning tree, keyed by ``NodePath`` within the run.
///
/// A node's parent must be stored before the node (the schema enforces it), which the
/// runtime does naturally by opening tasks top-down. `firstTokenSeq..<endTokenSeq` is the
/// node's span in the token log; `endTokenSeq` is `nil` while the node is open.
///
/// ```swift
/// try store.upsertNode(TreeNode(runID: id, path: try NodePath("0.1"), round: 0, state: .open, firstTokenSeq: 812))
/// ```
public struct TreeNode: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "treeNode"

    public var runID: String
    public var path: NodePath
    /// The parent's path; `nil` for a top-level task. Derived from `path`.
    public var parentPath: NodePath?
    /// Number of path components; 1 for a top-level task. Derived from `path`.
    public var depth: Int
    public var round: Int
    public var thought: String?
    public var conclusion: String?
    public var state: NodeState
    public var firstTokenSeq: Int?
    public var endTokenSeq: Int?

    public enum Columns {
        public static let runID = Column(CodingKeys.runID)
        public static let path = Column(CodingKeys.path)
        public static let parentPath = Column(CodingKeys.parentPath)
        public static let depth = Column(CodingKeys.depth)
        public static let round = Column(CodingKeys.round)
        public static let state = Column(CodingKeys.state)
    }

    public init(
        runID: String, path: NodePath, round: Int, thought: String? = nil, conclusion: String? = nil,
        state: NodeState, firstTokenSeq: Int? = nil, endTokenSeq: Int? = nil
    ) {
        self.runID = runID
        self.path = path
        self.parentPath = path.parent
        self.depth = path.depth
        self.round = round
        self.thought = thought
        self.conclusion = conclusion
        self.state = state
        self.firstTokenSeq = firstTokenSeq
        self.endTokenSeq = endTokenSeq
    }

    /// Round first, then path: each summary round's tree in order.
    public static func inTreeOrder(_ a: TreeNode, _ b: TreeNode) -> Bool {
        a.round != b.round ? a.round < b.round : a.path < b.path
    }
}
