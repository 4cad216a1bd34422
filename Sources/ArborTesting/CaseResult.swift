/// The outcome of one test case (or of a workflow whose tests could not be loaded).
public struct CaseResult: Sendable {
    public enum Status: String, Sendable {
        case passed
        /// An assertion failed, or a tool call had no recorded answer.
        case failed
        /// The case could not run: invalid tests, an unreadable cassette, a failed run.
        case error
        /// Not run: the case says `skip: REASON`.
        case skipped
    }

    /// The workflow's name.
    public var suite: String
    public var name: String
    /// Where the case (or the first load error) is written.
    public var location: SourceLocation
    public var status: Status
    public var failures: [AssertionFailure]
    /// Problems other than assertions: tool calls nothing answered, setup and run errors.
    public var errors: [String]
    /// The run, when it got that far.
    public var execution: CaseExecution?
    public var seconds: Double

    public init(suite: String, name: String, location: SourceLocation, status: Status, failures: [AssertionFailure] = [],
                errors: [String] = [], execution: CaseExecution? = nil, seconds: Double = 0) {
        self.suite = suite
        self.name = name
        self.location = location
        self.status = status
        self.failures = failures
        self.errors = errors
        self.execution = execution
        self.seconds = seconds
    }

    public var id: String { "\(suite)/\(name)" }
    public var passed: Bool { status == .passed }
}

/// Every result of one `arbor test` run, in the order the cases were found.
public struct TestReport: Sendable {
    public var results: [CaseResult]
    /// Wall-clock time of the whole run.
    public var seconds: Double

    public init(results: [CaseResult], seconds: Double) {
        self.results = results
        self.seconds = seconds
    }

    public var passedCount: Int { results.filter(\.passed).count }
    public var skippedCount: Int { results.filter { $0.status == .skipped }.count }
    /// Failed and errored cases.
    public var failedCount: Int { results.count - passedCount - skippedCount }
    public var allPassed: Bool { failedCount == 0 }

    /// `N passed, N failed`: the last line of every text report.
    public var summaryLine: String { "\(passedCount) passed, \(failedCount) failed" }
}
