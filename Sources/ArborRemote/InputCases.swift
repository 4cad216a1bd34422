import ArborSchema
import ArborSpec
import Foundation

/// One run of a batch: the inputs of one line of an inputs file, checked against the
/// workflow and with its defaults filled in.
public struct InputCase: Sendable, Equatable {
    /// The file's 1-based line the inputs came from.
    public var line: Int
    public var inputs: JSONObject

    public init(line: Int, inputs: JSONObject) {
        self.line = line
        self.inputs = inputs
    }
}

/// Reads the inputs of many runs: JSON Lines, one object of inputs a line (the same object
/// `arbor run --inputs-file F.json` takes for one run). Blank lines and lines starting with
/// `//` are skipped.
///
/// Every line is checked before any run starts, and every problem is reported at once as
/// `FILE:LINE:COLUMN: error: …`, so that a typo on line 40 does not cost 39 runs first.
///
/// ```swift
/// let (cases, problems) = InputCasesFile.load(path: "cases.jsonl", workflow: workflow)
/// guard problems.isEmpty else { problems.forEach { print($0) }; return }
/// ```
public enum InputCasesFile {
    /// Whether `path` names a JSON Lines file (`.jsonl`, `.ndjson`): many runs, not one.
    public static func isJSONLines(_ path: String) -> Bool {
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        return ext == "jsonl" || ext == "ndjson"
    }

    /// The cases of the file at `path`; `shared` inputs (from `--input`) apply to every line,
    /// a line's own value wins.
    public static func load(path: String, workflow: Workflow, shared: JSONObject = [:]) -> (cases: [InputCase], problems: [SpecDiagnostic]) {
        switch JSONLines.load(path: path, describedAs: "the inputs file") {
        case .success(let file): return cases(of: file, workflow: workflow, shared: shared)
        case .failure(let unreadable): return ([], [unreadable.diagnostic])
        }
    }

    /// The cases of `text`, named `file` in the problems.
    public static func parse(_ text: String, file: String, workflow: Workflow, shared: JSONObject = [:]) -> (cases: [InputCase], problems: [SpecDiagnostic]) {
        cases(of: JSONLines(text: text, file: file), workflow: workflow, shared: shared)
    }

    private static func cases(of file: JSONLines, workflow: Workflow, shared: JSONObject) -> (cases: [InputCase], problems: [SpecDiagnostic]) {
        var cases: [InputCase] = []
        var problems: [SpecDiagnostic] = []
        let example = workflow.inputs.first.map { #"e.g. {"\#($0.name)": …}"# } ?? "e.g. {}"
        for (number, line) in file.numberedLines {
            let object: JSONObject
            switch line {
            case .skipped:
                continue
            case .malformed(let column, let message):
                problems.append(file.diagnostic(line: number, column: column, message: "not JSON: \(message)",
                                                hint: "each line is one JSON object of inputs, \(example)"))
                continue
            case .value(let value):
                guard case .object(let found) = value else {
                    problems.append(file.diagnostic(line: number, message: "the line is JSON but not an object of inputs",
                                                    hint: "each line is one JSON object of inputs, \(example)"))
                    continue
                }
                object = found
            }
            var given = shared
            for (key, item) in object { given[key] = item }
            do {
                cases.append(InputCase(line: number, inputs: try workflow.resolveInputs(given)))
            } catch {
                if case .invalidInputs(let reasons) = error {
                    problems += reasons.map { file.diagnostic(line: number, message: $0) }
                } else {
                    problems.append(file.diagnostic(line: number, message: error.description))
                }
            }
        }
        if cases.isEmpty && problems.isEmpty {
            problems.append(file.diagnostic(line: 1, message: "the inputs file holds no case",
                                            hint: "write one JSON object of inputs a line, \(example)"))
        }
        return (cases, problems)
    }
}
