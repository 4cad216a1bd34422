/// The position of a task in a run's reasoning tree, written `0`, `0.2`, `0.2.1`.
///
/// Each component is the zero-based index of the task among its siblings: `0.2.1` is the
/// second subtask of the third subtask of the first top-level task. The run itself is the
/// implicit root and has no path. Paths are written as this text (in the store, in events, in
/// `arbor fork --at`); they sort numerically through ``Comparable`` (so `0.10` follows `0.9`),
/// not as strings.
///
/// It lives here, beside ``JSONPointer``, because both the decode loop (which task a token
/// belongs to) and the store (its rows) name tasks by it: the store adds its database
/// conformance, and the runtime needs no database types to spell a path.
///
/// ```swift
/// let path = NodePath(parsing: "0.2.1")!
/// path.parent      // 0.2
/// path.depth       // 3
/// path.child(4)    // 0.2.1.4
/// ```
public struct NodePath: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Sibling indexes from the top level down; never empty.
    public let components: [Int]
    /// The dotted form, built once: the token log writes it for every token.
    private let text: String

    /// A path from sibling indexes; `components` must be non-empty and non-negative.
    public init(_ components: [Int]) {
        precondition(!components.isEmpty && components.allSatisfy { $0 >= 0 }, "a node path needs non-negative components")
        self.components = components
        self.text = components.map(String.init).joined(separator: ".")
    }

    /// Parses `0.2.1`: decimal components without leading zeros, separated by single dots;
    /// nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        var components: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber),
                  part == "0" || !part.hasPrefix("0"), let value = Int(part) else {
                return nil
            }
            components.append(value)
        }
        self.components = components
        self.text = text
    }

    /// The enclosing task, or `nil` for a top-level task.
    public var parent: NodePath? {
        components.count > 1 ? NodePath(Array(components.dropLast())) : nil
    }

    /// 1 for a top-level task.
    public var depth: Int { components.count }

    /// The path of this task's subtask number `index`.
    public func child(_ index: Int) -> NodePath { NodePath(components + [index]) }

    /// The path of this task's enclosing task at `depth` (1: its top-level task); the path
    /// itself when `depth` is its own.
    public func prefix(depth: Int) -> NodePath {
        precondition(depth >= 1 && depth <= components.count, "a node path's prefix needs a depth between 1 and its own")
        return depth == components.count ? self : NodePath(Array(components.prefix(depth)))
    }

    public var description: String { text }

    public static func < (lhs: NodePath, rhs: NodePath) -> Bool {
        lhs.components.lexicographicallyPrecedes(rhs.components)
    }
}

extension NodePath: Codable {
    /// Reads the dotted form; a malformed one is a data-corrupted error that names it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let path = NodePath(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not a node path")
        }
        self = path
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
