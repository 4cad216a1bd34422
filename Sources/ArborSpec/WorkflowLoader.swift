import ArborSchema
import Foundation

/// Reads workflow files: YAML → JSON with positions → ``Workflow`` plus every problem.
///
/// Nothing stops at the first problem: a file with five mistakes gets five diagnostics,
/// each with the line and column of the YAML node at fault. A workflow is returned only
/// when it could be built; it may still come with warnings.
///
/// ```swift
/// let (workflow, diagnostics) = WorkflowLoader.load(path: "Workflows/research-agent.yaml")
/// diagnostics.forEach { print($0) }   // Workflows/research-agent.yaml:12:7: error: …
/// ```
public enum WorkflowLoader {
    /// Loads the file at `path`; `path` is used as written in the diagnostics.
    public static func load(path: String) -> (Workflow?, [SpecDiagnostic]) {
        // A huge file is refused before it is read into memory.
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > YAMLSource.maximumBytes {
            return (nil, [SpecDiagnostic(file: path, line: 1, column: 1,
                                         message: "the file has \(size) bytes; Arbor reads YAML files of at most \(YAMLSource.maximumBytes >> 20) MiB")])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "it cannot be read" : "no such file"
            return (nil, [SpecDiagnostic(file: path, line: 1, column: 1, message: "cannot read the workflow file: \(reason)",
                                         hint: "check the path")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return (nil, [SpecDiagnostic(file: path, line: 1, column: 1, message: "the file is not UTF-8 text")])
        }
        return load(text: text, file: path, checkingFilesRelativeTo: path)
    }

    /// Loads workflow YAML given as text; `file` names it in the diagnostics.
    public static func load(text: String, file: String = "<workflow>") -> (Workflow?, [SpecDiagnostic]) {
        load(text: text, file: file, checkingFilesRelativeTo: nil)
    }

    /// With a workflow path, a `model.file` that does not exist is a warning (the run would
    /// fail, but the file may be fetched later, so validation still passes).
    static func load(text: String, file: String, checkingFilesRelativeTo workflowPath: String?) -> (Workflow?, [SpecDiagnostic]) {
        let source = YAMLSource(text: text)
        if let syntax = source.syntaxError {
            return (nil, [SpecDiagnostic(file: file, line: syntax.line, column: syntax.column, message: syntax.message, hint: syntax.hint)])
        }
        var decoder = WorkflowDecoder()
        var problems = source.problems
        let workflow = decoder.decode(source.value)
        problems += decoder.reader.problems
        if let workflow {
            var checker = WorkflowChecker(workflow: workflow, pointers: decoder.sourcePointers)
            problems += checker.run()
            if let workflowPath, let modelPath = workflow.model.resolvedFile(workflowPath: workflowPath),
               !FileManager.default.fileExists(atPath: modelPath) {
                problems.append(SpecProblem(JSONPointer(tokens: ["model", "file"]), severity: .warning,
                                            message: "the model file \(modelPath) does not exist yet",
                                            hint: "download it, or remove `model.file` to use the default model"))
            }
        }
        let diagnostics = problems.map { problem in
            let (line, column) = source.position(of: problem)
            return SpecDiagnostic(file: file, line: line, column: column, severity: problem.severity,
                                  message: problem.message, hint: problem.hint)
        }
        .sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        let hasErrors = diagnostics.contains { $0.severity == .error }
        return (hasErrors ? nil : workflow, diagnostics)
    }

    /// The JSON form of a YAML text, as the loader sees it (YAML 1.2 core scalars; quoted
    /// text stays a string). Useful to check a workflow against `Schemas/workflow.schema.json`.
    public static func json(fromYAML text: String, file: String = "<yaml>") throws(SpecError) -> JSONValue {
        let source = YAMLSource(text: text)
        if let syntax = source.syntaxError {
            throw .invalid(diagnostics: [SpecDiagnostic(file: file, line: syntax.line, column: syntax.column, message: syntax.message, hint: syntax.hint)])
        }
        return source.value
    }

    /// Loads `path` and returns the workflow, or throws ``SpecError/invalid(diagnostics:)``
    /// with every error. Warnings do not throw.
    public static func loadValid(path: String) throws(SpecError) -> Workflow {
        let (workflow, diagnostics) = load(path: path)
        guard let workflow else { throw .invalid(diagnostics: diagnostics.filter { $0.severity == .error }) }
        return workflow
    }
}
