import ArborSchema
import ArborSpec
import Foundation

/// Finds workflows and their tests: the `tests:` section of each workflow and a
/// `NAME.test.yaml` beside `NAME.yaml`. Every problem comes back as a diagnostic at its
/// line and column; nothing stops at the first one.
///
/// ```swift
/// let suites = TestSuiteLoader.load(paths: ["Workflows"])
/// for suite in suites { suite.diagnostics.forEach { print($0) } }   // Workflows/a.yaml:70:9: error: …
/// ```
///
/// A `*.test.yaml` file holds `tests:` (the same list as in a workflow) and may name its
/// workflow with `workflow: other.yaml`; by default `a.test.yaml` tests `a.yaml`.
public enum TestSuiteLoader {
    /// Loads the suites for `paths`: workflow files, `*.test.yaml` files, or folders searched
    /// recursively for both (YAML files without a top-level `arbor:` key are skipped there).
    public static func load(paths: [String]) -> [TestSuite] {
        var workflows: [String] = [], extraTestFiles: [String: [String]] = [:]
        func addWorkflow(_ path: String) { if !workflows.contains(path) { workflows.append(path) } }
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                addWorkflow(path)   // reported by the loader as "no such file"
                continue
            }
            if isDirectory.boolValue {
                for file in yamlFiles(under: path) {
                    if isTestFile(file) {
                        if let workflow = workflowPath(forTestFile: file) { extraTestFiles[workflow, default: []].append(file) }
                    } else if isWorkflowFile(file) {
                        addWorkflow(file)
                    }
                }
            } else if isTestFile(path) {
                if let workflow = workflowPath(forTestFile: path) {
                    addWorkflow(workflow)
                    extraTestFiles[workflow, default: []].append(path)
                }
            } else {
                addWorkflow(path)
            }
        }
        return workflows.map { workflow in
            var testFiles = extraTestFiles[workflow] ?? []
            let companion = companionTestFile(of: workflow)
            if FileManager.default.fileExists(atPath: companion), !testFiles.contains(companion) { testFiles.append(companion) }
            return loadSuite(workflowPath: workflow, testFiles: testFiles)
        }
    }

    /// Loads one workflow with its `tests:` section and the given `*.test.yaml` files.
    public static func loadSuite(workflowPath: String, testFiles: [String] = []) -> TestSuite {
        let (workflow, workflowDiagnostics) = WorkflowLoader.load(path: workflowPath)
        var diagnostics = workflowDiagnostics.filter { $0.severity == .error }
        guard let workflow else {
            return TestSuite(workflowPath: workflowPath, workflow: nil, cases: [], diagnostics: diagnostics)
        }
        var cases: [TestCase] = []
        var sources: [(path: String, pointer: JSONPointer)] = []
        if !workflow.tests.isEmpty { sources.append((workflowPath, JSONPointer(tokens: ["tests"]))) }
        for file in testFiles { sources.append((file, JSONPointer(tokens: ["tests"]))) }
        for source in sources {
            let document: YAMLDocument
            do {
                document = try YAMLDocument(text: try readText(source.path), file: source.path)
            } catch {
                if case .invalid(let found) = error { diagnostics += found } else { diagnostics.append(SpecDiagnostic(file: source.path, line: 1, column: 1, message: error.description)) }
                continue
            }
            var decoder = TestCaseDecoder(document: document, workflow: workflow, workflowPath: workflowPath)
            if source.path != workflowPath { decoder.checkTestFileKeys() }
            cases += decoder.decodeCases(at: source.pointer, existing: cases)
            diagnostics += decoder.problems.map(document.diagnostic(for:))
        }
        return TestSuite(workflowPath: workflowPath, workflow: workflow, cases: cases, diagnostics: diagnostics)
    }

    private static func readText(_ path: String) throws(SpecError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "it cannot be read" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .unreadable(path: path, reason: "it is not UTF-8 text") }
        return text
    }

    static func isTestFile(_ path: String) -> Bool {
        path.hasSuffix(".test.yaml") || path.hasSuffix(".test.yml")
    }

    /// `a.yaml` → `a.test.yaml`.
    static func companionTestFile(of workflow: String) -> String {
        let stem = workflow.hasSuffix(".yml") ? String(workflow.dropLast(4)) : workflow.hasSuffix(".yaml") ? String(workflow.dropLast(5)) : workflow
        return stem + ".test.yaml"
    }

    /// The workflow a test file names with `workflow:` (relative to the test file), or the
    /// file beside it with the same stem.
    static func workflowPath(forTestFile path: String) -> String? {
        let directory = (path as NSString).deletingLastPathComponent
        if let text = try? readText(path), let document = try? YAMLDocument(text: text, file: path),
           let named = document.value["workflow"]?.stringValue {
            return named.hasPrefix("/") || directory.isEmpty ? named : directory + "/" + named
        }
        let stem = path.hasSuffix(".test.yml") ? String(path.dropLast(9)) : String(path.dropLast(10))
        return FileManager.default.fileExists(atPath: stem + ".yml") ? stem + ".yml" : stem + ".yaml"
    }

    private static func isWorkflowFile(_ path: String) -> Bool {
        guard let text = try? readText(path), let document = try? YAMLDocument(text: text, file: path) else { return false }
        return document.value["arbor"] != nil
    }

    private static func yamlFiles(under directory: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") { enumerator.skipDescendants(); continue }
            if relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") {
                found.append(directory.hasSuffix("/") ? directory + relative : directory + "/" + relative)
            }
        }
        return found.sorted()
    }
}
