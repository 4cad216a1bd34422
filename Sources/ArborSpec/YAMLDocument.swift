import ArborSchema

/// A YAML file read as JSON, with the line and column of every node: the positions
/// ``WorkflowLoader`` reports, for other files that live beside workflows (`*.test.yaml`,
/// the `tests:` section read by `arbor test`).
///
/// ```swift
/// let document = try YAMLDocument(text: "tests:\n  - name: a\n", file: "a.test.yaml")
/// document.diagnostic(at: JSONPointer(tokens: ["tests", "0", "name"]), message: "bad name")
/// // a.test.yaml:2:11: error: bad name
/// ```
public struct YAMLDocument {
    private let source: YAMLSource
    /// The name used in diagnostics.
    public let file: String

    /// Parses `text`; a YAML syntax error throws ``SpecError/invalid(diagnostics:)`` at its position.
    public init(text: String, file: String) throws(SpecError) {
        source = YAMLSource(text: text)
        self.file = file
        if let syntax = source.syntaxError {
            throw .invalid(diagnostics: [SpecDiagnostic(file: file, line: syntax.line, column: syntax.column,
                                                        message: syntax.message, hint: syntax.hint)])
        }
        if let problem = source.problems.first {
            throw .invalid(diagnostics: [diagnostic(for: problem)])
        }
    }

    /// The document as JSON (YAML 1.2 core scalars; quoted text stays a string).
    public var value: JSONValue { source.value }

    /// Where the node at `pointer` starts (its key with `anchor: .key`), or its nearest
    /// located ancestor when the node is missing.
    public func position(of pointer: JSONPointer, anchor: SpecProblem.Anchor = .value) -> (line: Int, column: Int) {
        source.position(of: SpecProblem(pointer, anchor: anchor, message: ""))
    }

    /// A diagnostic located at `pointer`.
    public func diagnostic(at pointer: JSONPointer, anchor: SpecProblem.Anchor = .value, severity: SpecDiagnostic.Severity = .error,
                           message: String, hint: String? = nil) -> SpecDiagnostic {
        diagnostic(for: SpecProblem(pointer, anchor: anchor, severity: severity, message: message, hint: hint))
    }

    /// A diagnostic for a problem found in the JSON form.
    public func diagnostic(for problem: SpecProblem) -> SpecDiagnostic {
        let (line, column) = source.position(of: problem)
        return SpecDiagnostic(file: file, line: line, column: column, severity: problem.severity,
                              message: problem.message, hint: problem.hint)
    }
}
