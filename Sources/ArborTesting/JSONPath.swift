import Foundation
import ArborSchema

/// A JSONPath-style selection of values in an output: `$`, `.name`, `["name"]`, `[2]`,
/// `[-1]` (from the end), `[*]` / `.*` (every member) and `..name` (at any depth).
///
/// ```swift
/// let path = try JSONPath("$.items[*].total")
/// path.select(in: ["items": [["total": 2], ["total": 3]]])   // [2, 3]
/// path.isSingular                                           // false
/// ```
public struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    public enum Segment: Sendable, Equatable {
        case member(String)
        case index(Int)
        case wildcard
        case descendant(String)
    }

    public let source: String
    public let segments: [Segment]

    /// The whole document.
    public static let root = JSONPath(source: "$", segments: [])

    private init(source: String, segments: [Segment]) {
        self.source = source
        self.segments = segments
    }

    /// Parses `text`; a path may omit the leading `$` (`answer.total` is `$.answer.total`).
    public init(_ text: String) throws(JSONPathError) {
        var scalars = Array(text.unicodeScalars)[...]
        if scalars.first == "$" { scalars = scalars.dropFirst() }
        else if let first = scalars.first, first != "." && first != "[" { scalars = (["."] + scalars)[...] }
        var segments: [Segment] = []
        func offset() -> Int { text.unicodeScalars.count - scalars.count }
        func name() -> String {
            let taken = scalars.prefix { $0 != "." && $0 != "[" }
            scalars = scalars.dropFirst(taken.count)
            return String(String.UnicodeScalarView(taken))
        }
        while let first = scalars.first {
            if first == "." {
                scalars = scalars.dropFirst()
                if scalars.first == "." {
                    scalars = scalars.dropFirst()
                    let member = name()
                    guard !member.isEmpty, member != "*" else { throw .invalid(path: text, offset: offset(), message: "`..` must be followed by a member name") }
                    segments.append(.descendant(member))
                    continue
                }
                let member = name()
                guard !member.isEmpty else { throw .invalid(path: text, offset: offset(), message: "a member name must follow `.`") }
                segments.append(member == "*" ? .wildcard : .member(member))
            } else if first == "[" {
                let start = offset()
                guard let close = scalars.firstIndex(of: "]") else { throw .invalid(path: text, offset: start, message: "`[` is never closed by `]`") }
                let inside = String(String.UnicodeScalarView(scalars[scalars.index(after: scalars.startIndex)..<close]))
                    .trimmingCharacters(in: [" "])
                scalars = scalars[scalars.index(after: close)...]
                if inside == "*" {
                    segments.append(.wildcard)
                } else if let index = Int(inside) {
                    segments.append(.index(index))
                } else if inside.count >= 2, let quote = inside.first, quote == "'" || quote == "\"", inside.last == quote {
                    segments.append(.member(String(inside.dropFirst().dropLast())))
                } else {
                    throw .invalid(path: text, offset: start, message: "`[\(inside)]` is not an index, `*` or a quoted name")
                }
            } else {
                throw .invalid(path: text, offset: offset(), message: "expected `.` or `[` here")
            }
        }
        self.init(source: text.hasPrefix("$") ? text : "$" + (text.hasPrefix(".") || text.hasPrefix("[") ? text : "." + text),
                  segments: segments)
    }

    /// True when the path selects at most one value (no `*` or `..`).
    public var isSingular: Bool {
        segments.allSatisfy { if case .member = $0 { return true }; if case .index = $0 { return true }; return false }
    }

    /// The values the path selects, in document order.
    public func select(in document: JSONValue) -> [JSONValue] {
        var current = [document]
        for segment in segments {
            current = current.flatMap { Self.apply(segment, to: $0) }
        }
        return current
    }

    private static func apply(_ segment: Segment, to value: JSONValue) -> [JSONValue] {
        switch segment {
        case .member(let name):
            return value[name].map { [$0] } ?? []
        case .index(let index):
            guard let elements = value.arrayValue else { return [] }
            let position = index < 0 ? elements.count + index : index
            return elements.indices.contains(position) ? [elements[position]] : []
        case .wildcard:
            if let elements = value.arrayValue { return elements }
            if let object = value.objectValue { return object.entries.map(\.value) }
            return []
        case .descendant(let name):
            var found: [JSONValue] = []
            func walk(_ node: JSONValue) {
                if let member = node[name] { found.append(member) }
                if let elements = node.arrayValue { elements.forEach(walk) }
                if let object = node.objectValue { object.entries.forEach { walk($0.value) } }
            }
            walk(value)
            return found
        }
    }

    public var description: String { source }
}

/// A path that cannot be parsed, with the character offset of the problem.
public enum JSONPathError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(path: String, offset: Int, message: String)

    public var description: String {
        switch self {
        case let .invalid(path, offset, message):
            return "The path `\(path)` is not valid at character \(offset + 1): \(message). Write paths like `$.items[0].total`."
        }
    }
}
