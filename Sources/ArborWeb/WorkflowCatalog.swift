import ArborSchema
import ArborSpec
import Foundation

/// The workflows the page can start runs of: the files named with `arbor serve --workflows`
/// (a folder stands for its `*.yaml` files, `*.test.yaml` aside), read again on every request
/// so that an edited file is picked up without a restart. The page builds its start form from
/// each workflow's input schema; the server checks the inputs against the same schema before
/// anything starts, so a bad input is a 400 that names it by JSON pointer.
struct WorkflowCatalog: Sendable {
    /// Files and folders, as given.
    let paths: [String]

    /// One startable workflow.
    struct Entry {
        var file: String
        var workflow: Workflow
    }

    /// The workflow files under `paths`, in the order given (a folder's files sorted by name).
    var files: [String] {
        paths.flatMap { path -> [String] in
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return [path] }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            return names.filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".test.yaml") }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
        }
    }

    /// The workflows that load, and a sentence for each file that does not (shown on the page).
    func load() -> (entries: [Entry], problems: [String]) {
        var entries: [Entry] = []
        var problems: [String] = []
        for file in files {
            let (workflow, diagnostics) = WorkflowLoader.load(path: file)
            if let workflow, !diagnostics.contains(where: { $0.severity == .error }) {
                entries.append(Entry(file: file, workflow: workflow))
            } else {
                problems.append(diagnostics.first { $0.severity == .error }.map { "\($0)" } ?? "\(file): does not load")
            }
        }
        return (entries, problems)
    }

    /// `GET /api/workflows`: `{"workflows": [...], "problems": [...]}`, each workflow with its
    /// inputs (name, description, JSON Schema, default) for the form.
    func json() -> String {
        let (entries, problems) = load()
        let workflows = entries.map { entry -> JSONValue in
            let inputs = entry.workflow.inputs.map { input -> JSONValue in
                var object: JSONObject = ["name": .string(input.name), "schema": input.schema, "required": .bool(input.isRequired)]
                if let description = input.description { object["description"] = .string(description) }
                if let value = input.defaultValue { object["default"] = value }
                return .object(object)
            }
            var object: JSONObject = ["name": .string(entry.workflow.name), "file": .string(entry.file), "inputs": .array(inputs)]
            if let description = entry.workflow.description { object["description"] = .string(description) }
            return .object(object)
        }
        return JSONValue.object(["workflows": .array(workflows), "problems": .array(problems.map { .string($0) })]).compactString
    }

    /// The workflow called `name`; a 404 naming the ones there are otherwise.
    func entry(named name: String) throws -> Entry {
        let (entries, _) = load()
        if let entry = entries.first(where: { $0.workflow.name == name }) { return entry }
        let known = entries.map(\.workflow.name)
        let hint = known.isEmpty
            ? "start `arbor serve --workflows FOLDER_OR_FILE...` to offer workflows"
            : "the server offers \(known.map { "`\($0)`" }.joined(separator: ", "))"
        throw APIError(status: 404, message: "No workflow named `\(name)`: \(hint).")
    }

    /// The inputs of a new run: `given` with the defaults filled in, checked against the
    /// workflow's input schema. A problem is a 400 whose `pointer` names the input at fault.
    static func checkedInputs(_ given: JSONObject, for workflow: Workflow) throws -> JSONObject {
        let names = workflow.inputs.map(\.name)
        if let unknown = given.keys.first(where: { !names.contains($0) }) {
            throw APIError(status: 400, message: "`\(unknown)` is not an input of the workflow `\(workflow.name)`; its inputs are \(names.joined(separator: ", ")).",
                           pointer: JSONPointer.root.appending(unknown))
        }
        var resolved = JSONObject()
        for input in workflow.inputs {
            if let value = given[input.name] {
                resolved[input.name] = value
            } else if let value = input.defaultValue {
                resolved[input.name] = value
            } else {
                throw APIError(status: 400, message: "The input `\(input.name)` is required.", pointer: JSONPointer.root.appending(input.name))
            }
        }
        let document: SchemaDocument
        do { document = try SchemaDocument(compiling: workflow.inputsSchema) } catch {
            throw APIError(status: 500, message: "The workflow's input schema does not compile: \(error)")
        }
        if let violation = document.validate(.object(resolved)).first {
            throw APIError(status: 400, message: "Input \(violation.instancePath.string): \(violation.message).", pointer: violation.instancePath)
        }
        return resolved
    }
}
