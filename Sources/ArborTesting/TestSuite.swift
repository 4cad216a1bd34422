import ArborSpec

/// A workflow and its test cases, or the problems that kept them from loading.
public struct TestSuite: Sendable {
    public var workflowPath: String
    /// Nil when the workflow itself does not load.
    public var workflow: Workflow?
    public var cases: [TestCase]
    /// Errors in the workflow or its tests; a suite with errors fails as a whole.
    public var diagnostics: [SpecDiagnostic]

    public init(workflowPath: String, workflow: Workflow?, cases: [TestCase], diagnostics: [SpecDiagnostic]) {
        self.workflowPath = workflowPath
        self.workflow = workflow
        self.cases = cases
        self.diagnostics = diagnostics
    }

    /// The workflow's name, or its file name when it did not load.
    public var name: String {
        workflow?.name ?? String(workflowPath.split(separator: "/").last ?? Substring(workflowPath))
    }

    public var errors: [SpecDiagnostic] { diagnostics.filter { $0.severity == .error } }
}
