import ArborSchema
import Foundation

/// What `arbor validate` does, as a library call the tests can reach.
///
/// ```swift
/// let report = ValidationReport(files: ["Workflows/math-solver.yaml"])
/// print(report.text)          // nothing when every file is valid
/// exit(report.isValid ? 0 : 1)
/// ```
public struct ValidationReport: Sendable, Equatable {
    /// Every diagnostic of every file, files in the order given.
    public var diagnostics: [SpecDiagnostic]

    public init(files: [String]) {
        diagnostics = files.flatMap { WorkflowLoader.load(path: $0).1 }
    }

    public init(diagnostics: [SpecDiagnostic]) {
        self.diagnostics = diagnostics
    }

    /// True when no diagnostic is an error (warnings are allowed).
    public var isValid: Bool { !diagnostics.contains { $0.severity == .error } }

    /// `FILE:LINE:COLUMN: error: MESSAGE` lines, each followed by `  hint: …` when there is one.
    public var text: String {
        diagnostics.map { $0.description + "\n" }.joined()
    }

    /// A JSON array of `{file, line, column, severity, message, hint}` objects.
    public var json: String {
        let values: [JSONValue] = diagnostics.map { diagnostic in
            ["file": .string(diagnostic.file), "line": .integer(Int64(diagnostic.line)), "column": .integer(Int64(diagnostic.column)),
             "severity": .string(diagnostic.severity.rawValue), "message": .string(diagnostic.message),
             "hint": diagnostic.hint.map(JSONValue.string) ?? .null]
        }
        return JSONValue.array(values).prettyString + "\n"
    }
}
