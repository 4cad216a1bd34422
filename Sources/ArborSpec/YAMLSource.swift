import ArborSchema
import Yams

/// A YAML document converted to JSON, with the position of every node.
///
/// The workflow decoder reads the ``value``; diagnostics come back as JSON pointers and
/// ``position(of:)`` turns them into lines and columns. Scalars resolve with YAML 1.2's core
/// schema (`true`, `3`, `2.5`, `null`; quoted text always stays a string).
struct YAMLSource {
    struct Location {
        var keyMark: Mark?
        var valueMark: Mark?
        var scalarStyle: Node.Scalar.Style?
    }

    let text: String
    private(set) var value: JSONValue = .null
    private(set) var locations: [JSONPointer: Location] = [:]
    private(set) var problems: [SpecProblem] = []
    /// Set when the text is not YAML at all; then ``value`` is null.
    private(set) var syntaxError: (line: Int, column: Int, message: String, hint: String?)?

    /// The largest YAML text read (a workflow or test file): far above any hand-written file,
    /// small enough that converting it and keeping every node's position stays cheap.
    static let maximumBytes = 8 << 20

    init(text: String) {
        self.text = text
        if text.utf8.count > Self.maximumBytes {
            syntaxError = (1, 1, "the file has \(text.utf8.count) bytes; Arbor reads YAML files of at most \(Self.maximumBytes >> 20) MiB", nil)
            return
        }
        if let refusal = YAMLExpansionBudget.check(text) {
            syntaxError = (refusal.line, refusal.column, refusal.message, nil)
            return
        }
        do {
            guard let root = try Yams.compose(yaml: text) else {
                value = .null
                return
            }
            value = convert(root, at: .root)
        } catch let error as YamlError {
            let (line, column, message) = Self.describe(error)
            syntaxError = (line, column, message, flowShorthandHint(line: line))
        } catch {
            syntaxError = (1, 1, "the file is not valid YAML: \(error)", nil)
        }
    }

    /// Shorthand such as `int[0,10]` inside a `{...}` mapping breaks YAML's flow syntax,
    /// a mistake common enough to deserve its own hint.
    private func flowShorthandHint(line: Int) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return nil }
        let source = lines[line - 1]
        guard source.contains("{"), source.contains("["),
              ["int[", "float[", "list[", "dict[", "Optional[", "Literal["].contains(where: { source.contains($0) }) else { return nil }
        return "inside `{...}`, quote shorthand types that use brackets or commas, e.g. {n: \"int[0,10]\"}, or use block style"
    }

    private static func describe(_ error: YamlError) -> (Int, Int, String) {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let contextText = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            return (mark.line, mark.column, "YAML syntax error: \(problem)\(contextText)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return (context.mark.line, context.mark.column,
                    "the key\(duplicates.count == 1 ? "" : "s") \(duplicates.map { "`\($0)`" }.joined(separator: ", ")) appear\(duplicates.count == 1 ? "s" : "") more than once in the same mapping")
        case let .reader(problem, offset, _, _):
            return (1, 1 + (offset ?? 0), "the file cannot be read as text: \(problem)")
        default:
            return (1, 1, "the file is not valid YAML: \(error)")
        }
    }

    private mutating func convert(_ node: Node, at pointer: JSONPointer) -> JSONValue {
        locations[pointer, default: Location()].valueMark = node.mark
        switch node {
        case .scalar(let scalar):
            locations[pointer]?.scalarStyle = scalar.style
            return Self.scalarValue(scalar)
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            for (index, element) in sequence.enumerated() {
                elements.append(convert(element, at: pointer.appending(index: index)))
            }
            return .array(elements)
        case .mapping(let mapping):
            var object = JSONObject()
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    problems.append(SpecProblem(pointer, message: "mapping keys must be plain text, not a list or mapping"))
                    continue
                }
                let key = keyScalar.string
                let child = pointer.appending(key)
                locations[child, default: Location()].keyMark = keyNode.mark
                object[key] = convert(valueNode, at: child)
            }
            return .object(object)
        case .alias:
            // Yams.compose resolves every alias to its anchored node, so this is not reached.
            problems.append(SpecProblem(pointer, message: "YAML aliases are not supported here; write the value out"))
            return .null
        }
    }

    /// Resolves a scalar with the YAML 1.2 core schema: `null`/`~`/empty, `true`/`false`,
    /// decimal, `0x` and `0o` integers, and decimal floats. Unlike YAML 1.1, `yes`, `no`,
    /// `on`, `off` and dates stay text. Quoted scalars are always text.
    static func scalarValue(_ scalar: Node.Scalar) -> JSONValue {
        guard scalar.style == .plain || scalar.style == .any else { return .string(scalar.string) }
        return coreSchemaValue(scalar.string)
    }

    static func coreSchemaValue(_ text: String) -> JSONValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        let scalars = Array(text.unicodeScalars)
        func isDigits(_ slice: ArraySlice<Unicode.Scalar>, _ allowed: ClosedRange<Unicode.Scalar> = "0"..."9") -> Bool {
            !slice.isEmpty && slice.allSatisfy { allowed.contains($0) }
        }
        let unsigned = scalars.first == "-" || scalars.first == "+" ? scalars.dropFirst() : scalars[...]
        if isDigits(unsigned) {
            if let integer = Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text) { return .integer(integer) }
            if let double = Double(text) { return .number(double) }
        }
        if text.hasPrefix("0x"), scalars.count > 2, scalars.dropFirst(2).allSatisfy(\.properties.isASCIIHexDigit),
           let integer = Int64(text.dropFirst(2), radix: 16) {
            return .integer(integer)
        }
        if text.hasPrefix("0o"), isDigits(scalars.dropFirst(2), "0"..."7"), let integer = Int64(text.dropFirst(2), radix: 8) {
            return .integer(integer)
        }
        // [-+]? ( . digits | digits ( . digits? )? ) ( [eE] [-+]? digits )?
        var index = unsigned.startIndex
        var mantissaDigits = 0
        while index < unsigned.endIndex, ("0"..."9").contains(unsigned[index]) { index += 1; mantissaDigits += 1 }
        if index < unsigned.endIndex, unsigned[index] == "." {
            index += 1
            while index < unsigned.endIndex, ("0"..."9").contains(unsigned[index]) { index += 1; mantissaDigits += 1 }
        }
        if mantissaDigits > 0, index < unsigned.endIndex, unsigned[index] == "e" || unsigned[index] == "E" {
            index += 1
            if index < unsigned.endIndex, unsigned[index] == "-" || unsigned[index] == "+" { index += 1 }
            let exponentStart = index
            while index < unsigned.endIndex, ("0"..."9").contains(unsigned[index]) { index += 1 }
            if exponentStart == index { return .string(text) }
        }
        if mantissaDigits > 0, index == unsigned.endIndex, let double = Double(text), double.isFinite {
            return .number(double)
        }
        return .string(text)
    }

    /// The line and column of the problem's node, or of its nearest located ancestor.
    func position(of problem: SpecProblem) -> (line: Int, column: Int) {
        var pointer = problem.pointer
        while true {
            if let location = locations[pointer] {
                if problem.anchor == .key, pointer == problem.pointer, let mark = location.keyMark {
                    return (mark.line, mark.column)
                }
                if let mark = location.valueMark {
                    if pointer == problem.pointer, let offset = problem.offset,
                       let inside = position(inside: mark, style: location.scalarStyle, offset: offset, value: value(at: pointer)) {
                        return inside
                    }
                    return (mark.line, mark.column)
                }
            }
            guard let parent = pointer.parent else { return (1, 1) }
            pointer = parent
        }
    }

    private func value(at pointer: JSONPointer) -> String? {
        pointer.resolve(in: value)?.stringValue
    }

    /// Maps a character offset in a scalar's value to the source, for styles where the
    /// value's text appears verbatim: single-line plain or quoted scalars and literal blocks.
    private func position(inside mark: Mark, style: Node.Scalar.Style?, offset: Int, value: String?) -> (Int, Int)? {
        guard let value else { return nil }
        let prefix = value.unicodeScalars.prefix(offset)
        let lineIndex = prefix.filter { $0 == "\n" }.count
        let columnInLine = prefix.count - (prefix.lastIndex(of: "\n").map { prefix.distance(from: prefix.startIndex, to: $0) + 1 } ?? 0)
        switch style {
        case .plain?, .any?, nil:
            guard lineIndex == 0 else { return nil }
            return (mark.line, mark.column + columnInLine)
        case .singleQuoted?, .doubleQuoted?:
            guard lineIndex == 0, !value.contains("\\"), !value.contains("'") else { return nil }
            return (mark.line, mark.column + 1 + columnInLine)
        case .literal?:
            let sourceLines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let line = mark.line + 1 + lineIndex
            guard line - 1 < sourceLines.count else { return nil }
            // The block's indentation is that of its first line; deeper lines keep their
            // extra spaces in the value, so they are counted in `columnInLine`.
            let blockIndent = sourceLines[mark.line].prefix(while: { $0 == " " }).count
            return (line, blockIndent + 1 + columnInLine)
        case .folded?:
            return nil
        }
    }
}
