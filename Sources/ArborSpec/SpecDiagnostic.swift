import ArborSchema

/// One problem in a workflow file, located at a line and column.
///
/// `arbor validate` prints these as `FILE:LINE:COLUMN: error: MESSAGE`, followed by
/// `  hint: …` when there is a suggestion. Lines and columns count from 1; a column counts
/// Unicode scalars, as libyaml does.
///
/// ```swift
/// let (workflow, diagnostics) = WorkflowLoader.load(path: "Workflows/math-solver.yaml")
/// for diagnostic in diagnostics { print(diagnostic) }
/// ```
public struct SpecDiagnostic: Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Codable, Sendable {
        case error
        case warning
    }

    public var file: String
    public var line: Int
    public var column: Int
    public var severity: Severity
    public var message: String
    public var hint: String?

    public init(file: String, line: Int, column: Int, severity: Severity = .error, message: String, hint: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
        self.hint = hint
    }

    /// `FILE:LINE:COLUMN: error: MESSAGE`, plus an indented hint line.
    public var description: String {
        var text = "\(file):\(line):\(column): \(severity.rawValue): \(message)"
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}

/// A problem found in a workflow's JSON form, located by a JSON pointer.
///
/// Decoding and semantic checks work on the JSON form of the YAML, so they speak in
/// pointers; ``WorkflowLoader`` maps each pointer back to the YAML node's line and column.
public struct SpecProblem: Sendable, Equatable, CustomStringConvertible {
    /// Which part of a mapping entry the problem is about.
    public enum Anchor: Sendable, Equatable {
        /// The value at the pointer (for a missing key: the mapping that lacks it).
        case value
        /// The key of the entry at the pointer (unknown or misspelt keys).
        case key
    }

    public var pointer: JSONPointer
    public var anchor: Anchor
    /// A 0-based character offset inside the string value, when the problem is inside it.
    public var offset: Int?
    public var severity: SpecDiagnostic.Severity
    public var message: String
    public var hint: String?

    public init(_ pointer: JSONPointer, anchor: Anchor = .value, offset: Int? = nil,
                severity: SpecDiagnostic.Severity = .error, message: String, hint: String? = nil) {
        self.pointer = pointer
        self.anchor = anchor
        self.offset = offset
        self.severity = severity
        self.message = message
        self.hint = hint
    }

    public var description: String {
        "\(pointer.displayString): \(message)" + (hint.map { " (\($0))" } ?? "")
    }
}

/// Errors of the ArborSpec module.
///
/// ```swift
/// do { let workflow = try WorkflowLoader.loadValid(path: "flow.yaml") } catch {
///     print(error)  // every problem, one per line, with file:line:column
/// }
/// ```
public enum SpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadable(path: String, reason: String)
    /// The workflow has problems; every one of them is listed.
    case invalid(diagnostics: [SpecDiagnostic])
    /// A workflow value (built in code, not loaded) failed ``Workflow/validate()``.
    case invalidWorkflow(problems: [SpecProblem])
    /// The inputs given for a run do not match the workflow's inputs.
    case invalidInputs(problems: [String])

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "\(path): cannot read the workflow file: \(reason). Check the path and permissions."
        case let .invalid(diagnostics):
            return diagnostics.map(\.description).joined(separator: "\n")
        case let .invalidWorkflow(problems):
            return "The workflow is invalid:\n" + problems.map { "  " + $0.description }.joined(separator: "\n")
        case let .invalidInputs(problems):
            return "The inputs do not fit the workflow:\n" + problems.map { "  " + $0 }.joined(separator: "\n")
        }
    }
}
