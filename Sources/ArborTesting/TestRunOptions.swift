import Foundation

/// How `arbor test` runs: replay or record, which cases, how many at once.
public struct TestRunOptions: Sendable {
    public enum Mode: String, Sendable {
        /// Tool calls come from fixtures and cassettes; nothing live is touched.
        case replay
        /// Tool calls without a fixture go to the live tools and are written to cassettes.
        case record
        /// Tool calls without a fixture go to the live tools; nothing is written (`arbor eval`).
        case live
    }

    public var mode: Mode
    /// Runs only cases whose `workflow/case` id contains this text (`*` matches any text).
    public var filter: String?
    /// Cases run at the same time.
    public var jobs: Int
    /// Whether every run is also checked against the output schema and the token limit
    /// (`arbor eval`'s free-text baseline answers only the answer's path, so it turns them off).
    public var checksImplicitAssertions = true

    /// One case per four cores: each run already decodes on several threads.
    public static var defaultJobs: Int { max(1, ProcessInfo.processInfo.activeProcessorCount / 4) }

    public init(mode: Mode = .replay, filter: String? = nil, jobs: Int = TestRunOptions.defaultJobs) {
        self.mode = mode
        self.filter = filter
        self.jobs = max(1, jobs)
    }

    /// Whether the case id passes `filter`.
    public func selects(_ id: String) -> Bool {
        guard let filter, !filter.isEmpty else { return true }
        guard filter.contains("*") else { return id.contains(filter) }
        return Self.glob(Array(filter.unicodeScalars)[...], Array(id.unicodeScalars)[...], anchored: false)
    }

    /// `*` matches any run of characters; without an anchor the pattern may match anywhere.
    private static func glob(_ pattern: ArraySlice<Unicode.Scalar>, _ text: ArraySlice<Unicode.Scalar>, anchored: Bool) -> Bool {
        if !anchored {
            return text.indices.contains { glob(pattern, text[$0...], anchored: true) } || glob(pattern, text[text.endIndex...], anchored: true)
        }
        guard let first = pattern.first else { return true }
        if first == "*" {
            let rest = pattern.dropFirst()
            return (text.startIndex...text.endIndex).contains { glob(rest, text[$0...], anchored: true) }
        }
        guard let head = text.first, head == first else { return false }
        return glob(pattern.dropFirst(), text.dropFirst(), anchored: true)
    }
}
