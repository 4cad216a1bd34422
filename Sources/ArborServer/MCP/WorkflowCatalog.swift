import ArborSchema
import ArborSpec
import Foundation

/// The workflows `arbor mcp` serves, read from the folders and files it is given.
///
/// A folder contributes every YAML file directly inside it that is a workflow (it has the
/// `arbor:` key); test files (`*.test.yaml`) and other YAML are left alone. Every workflow is
/// validated first: a server never starts with a tool it could not run.
///
/// ```swift
/// let tools = try WorkflowCatalog.load(["Workflows"])   // math-solver, extract-invoice, …
/// ```
public enum WorkflowCatalog {
    /// The tools for `paths` (folders or workflow files), in the order given, each folder's
    /// files sorted by name.
    public static func load(_ paths: [String]) throws(MCPServerError) -> [WorkflowTool] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .noSuchPath(path)
            }
            files += isDirectory.boolValue ? workflowFiles(in: path) : [path]
        }
        guard !files.isEmpty else { throw .noWorkflows(searched: paths) }
        var tools: [WorkflowTool] = []
        var diagnostics: [SpecDiagnostic] = []
        for file in files {
            let (workflow, found) = WorkflowLoader.load(path: file)
            diagnostics += found.filter { $0.severity == .error }
            if let workflow, let text = try? String(contentsOfFile: file, encoding: .utf8) {
                tools.append(WorkflowTool(path: file, workflow: workflow, specText: text))
            }
        }
        if !diagnostics.isEmpty { throw .invalidWorkflows(diagnostics) }
        var seen: [String: String] = [:]
        for tool in tools {
            if let earlier = seen[tool.name] { throw .duplicateToolName(tool.name, paths: [earlier, tool.path]) }
            seen[tool.name] = tool.path
        }
        return tools
    }

    /// The workflow files directly inside `folder`, sorted.
    static func workflowFiles(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.sorted().compactMap { name -> String? in
            guard !name.hasPrefix("."), name.hasSuffix(".yaml") || name.hasSuffix(".yml"),
                  !name.hasSuffix(".test.yaml"), !name.hasSuffix(".test.yml") else { return nil }
            let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                  let document = try? YAMLDocument(text: text, file: path), document.value["arbor"] != nil else { return nil }
            return path
        }
    }
}

/// Why `arbor mcp` cannot start, or a request it cannot serve; each says what to do.
public enum MCPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    case noSuchPath(String)
    case noWorkflows(searched: [String])
    case invalidWorkflows([SpecDiagnostic])
    case duplicateToolName(String, paths: [String])

    public var description: String {
        switch self {
        case .noSuchPath(let path):
            return "\(path): no such file or folder; give workflow files or folders that hold them"
        case .noWorkflows(let searched):
            return "no workflow found in \(searched.joined(separator: ", ")); a workflow is a YAML file with an `arbor: 1` key"
        case .invalidWorkflows(let diagnostics):
            return diagnostics.map(\.description).joined(separator: "\n")
                + "\nfix these workflows (`arbor validate` shows the same) or leave them out"
        case .duplicateToolName(let name, let paths):
            return "two workflows would be the tool `\(name)`: \(paths.joined(separator: " and ")); rename one (its `name:`)"
        }
    }
}
