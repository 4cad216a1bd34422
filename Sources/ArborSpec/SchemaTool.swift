import ArborSchema
import Foundation

/// What `arbor schema check` and `arbor schema show` do.
public enum SchemaTool {
    /// The outcome of a command: text for standard output and error, and whether it succeeded.
    public struct Outcome: Sendable, Equatable {
        public var output: String
        public var errors: String
        public var success: Bool
    }

    /// Validates each JSON file in `instances` against the schema in `schemaPath`.
    ///
    /// Prints `FILE: valid` or one `FILE: POINTER: MESSAGE` line per violation.
    public static func check(schemaPath: String, instances: [String]) -> Outcome {
        let schemaJSON: JSONValue
        switch readJSON(schemaPath) {
        case .success(let value): schemaJSON = value
        case .failure(let message): return Outcome(output: "", errors: message + "\n", success: false)
        }
        let document: SchemaDocument
        do { document = try SchemaDocument(compiling: schemaJSON) } catch {
            let lines = error.errors.map { "\(schemaPath): \($0.description)\n" }.joined()
            return Outcome(output: "", errors: lines, success: false)
        }
        var output = "", errors = "", success = true
        for path in instances {
            switch readJSON(path) {
            case .failure(let message):
                errors += message + "\n"
                success = false
            case .success(let instance):
                let violations = document.validate(instance)
                if violations.isEmpty {
                    output += "\(path): valid\n"
                } else {
                    success = false
                    for violation in violations {
                        output += "\(path): \(violation.instancePath.displayString): \(violation.message)\n"
                    }
                }
            }
        }
        return Outcome(output: output, errors: errors, success: success)
    }

    /// Which schema of a workflow `show` prints.
    public enum Part: Sendable, Equatable {
        case output
        case inputs
        case toolParameters(String)
    }

    /// A JSON Schema of the workflow at `specPath` (by default its output), pretty-printed.
    public static func show(specPath: String, part: Part = .output) -> Outcome {
        let (workflow, diagnostics) = WorkflowLoader.load(path: specPath)
        let report = ValidationReport(diagnostics: diagnostics)
        guard let workflow else { return Outcome(output: "", errors: report.text, success: false) }
        let schema: JSONValue
        switch part {
        case .output: schema = workflow.outputSchema
        case .inputs: schema = workflow.inputsSchema
        case .toolParameters(let name):
            guard let tool = workflow.tool(named: name) else {
                let names = workflow.tools.map(\.name)
                let hint = SpellingHint.didYouMean(name, in: names) ?? "tools: \(names.joined(separator: ", "))"
                return Outcome(output: "", errors: report.text + "\(specPath): the workflow has no tool `\(name)` (\(hint))\n", success: false)
            }
            guard case .schema(let parameters) = tool.parameters else {
                return Outcome(output: "", errors: report.text + "\(specPath): the parameters of `\(name)` come from its MCP server when a run starts\n", success: false)
            }
            schema = parameters
        }
        return Outcome(output: schema.prettyString + "\n", errors: report.text, success: true)
    }

    private enum ReadResult {
        case success(JSONValue)
        case failure(String)
    }

    private static func readJSON(_ path: String) -> ReadResult {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure("\(path): cannot read the file; check the path")
        }
        do { return .success(try JSONValue(parsing: data)) } catch {
            return .failure("\(path):\(error.line):\(error.column): \(error.message)")
        }
    }
}
