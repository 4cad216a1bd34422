import ArborSchema

/// One check on a test run, as written in a case's `expect:` list.
///
/// ```yaml
/// expect:
///   - {path: $.answer, equals: 1157.63, tolerance: 0.01}   # deep equality, numbers within 0.01
///   - {path: $.unit, contains: km}                          # substring / element / sub-object
///   - {path: "$.steps[0]", matches: "^[A-Z]"}               # regex search in a string
///   - {path: $.answer, gte: 0, lt: 1e6}                     # numeric comparisons
///   - {path: $.steps, length: {min: 1, max: 8}}             # length of a list, object or string
///   - {tool: calculator, called_with: {expression: "80 * 2.5"}, match: subset}
///   - {tool: calculator, at_least: 1, at_most: 4}
///   - {tool_order: [search, fetch]}                         # in this order, others between allowed
///   - {limits: {tokens: 1500, tool_calls: 6, kv_peak: 3000}}
///   - {command: [python3, checks/answer.py]}                # JSON on stdin, exit 0 passes
///   - {snapshot: true}                                      # output as recorded by --record
/// ```
/// Every run is also checked against the workflow's output schema, and fails if a round had to
/// be closed at its token limit.
public struct Assertion: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The output conforms to the workflow's output schema (always checked).
        case schemaValid
        /// No round reached its token limit, where the runtime closes the tree and finishes
        /// the answer in a reserve (always checked): such an answer is not the model's own.
        case withinTokenLimit
        /// Every selected value equals `value`; numbers may differ by `tolerance`.
        case equals(path: JSONPath, value: JSONValue, tolerance: Double)
        /// Every selected string contains `value` (text), every array an element equal to it,
        /// every object all of its members (recursively).
        case contains(path: JSONPath, value: JSONValue)
        /// Every selected string has a match of the regular expression somewhere.
        case matches(path: JSONPath, pattern: String)
        /// Every selected number satisfies all the comparisons.
        case compare(path: JSONPath, comparisons: [Comparison])
        /// Every selected string, array or object has a length within the bounds.
        case length(path: JSONPath, minimum: Int?, maximum: Int?)
        /// The tool was called (with matching arguments, when given) a number of times within
        /// the bounds; with no bounds, at least once.
        case toolCalled(tool: String, arguments: ArgumentMatch, atLeast: Int?, atMost: Int?)
        /// The tools were called in this order (a subsequence of all calls).
        case toolOrder([String])
        /// Run figures at most these values.
        case limits([RunLimit: Int])
        /// The output equals the one recorded in the case's cassette by `--record`.
        case snapshot
        /// A program gets the run as JSON on stdin; exit status 0 passes. It runs in the
        /// current directory, as command tools do, and is not run through a shell.
        case command(argv: [String])
    }

    public var kind: Kind
    /// Where it is written; nil for the implicit checks (schema, token limit).
    public var location: SourceLocation?
    /// An optional label from `description:` shown in reports.
    public var label: String?

    public init(_ kind: Kind, location: SourceLocation? = nil, label: String? = nil) {
        self.kind = kind
        self.location = location
        self.label = label
    }

    /// A one-line statement of what it checks, for reports.
    public var summary: String {
        if let label { return label }
        switch kind {
        case .schemaValid: return "output matches the output schema"
        case .withinTokenLimit: return "run finishes within its token limit"
        case let .equals(path, value, tolerance):
            return "\(path) equals \(value.compactString)" + (tolerance > 0 ? " ± \(tolerance)" : "")
        case let .contains(path, value): return "\(path) contains \(value.compactString)"
        case let .matches(path, pattern): return "\(path) matches /\(pattern)/"
        case let .compare(path, comparisons): return "\(path) " + comparisons.map(\.description).joined(separator: " and ")
        case let .length(path, minimum, maximum):
            return "length of \(path) " + [minimum.map { "≥ \($0)" }, maximum.map { "≤ \($0)" }].compactMap { $0 }.joined(separator: " and ")
        case let .toolCalled(tool, arguments, atLeast, atMost):
            var text = "tool \(tool) called"
            if let expected = arguments.expected { text += " with \(expected.compactString) (\(arguments.modeName))" }
            if let atLeast { text += " at least \(atLeast)×" }
            if let atMost { text += " at most \(atMost)×" }
            return text
        case let .toolOrder(tools): return "tools called in order " + tools.joined(separator: " → ")
        case let .limits(limits):
            return "run within " + RunLimit.allCases.compactMap { key in limits[key].map { "\(key.rawValue) ≤ \($0)" } }.joined(separator: ", ")
        case .snapshot: return "output equals the recorded snapshot"
        case let .command(argv): return "command \(argv.joined(separator: " ")) exits 0"
        }
    }
}

/// A numeric comparison: `gt`, `gte`, `lt`, `lte`.
public struct Comparison: Sendable, Equatable, CustomStringConvertible {
    public enum Operator: String, Sendable, CaseIterable {
        case gt, gte, lt, lte

        var symbol: String {
            switch self {
            case .gt: return ">"
            case .gte: return "≥"
            case .lt: return "<"
            case .lte: return "≤"
            }
        }
    }

    public var op: Operator
    public var bound: Double

    public init(_ op: Operator, _ bound: Double) {
        self.op = op
        self.bound = bound
    }

    public func holds(for value: Double) -> Bool {
        switch op {
        case .gt: return value > bound
        case .gte: return value >= bound
        case .lt: return value < bound
        case .lte: return value <= bound
        }
    }

    public var description: String {
        "\(op.symbol) \(bound.rounded() == bound && abs(bound) < 1e15 ? String(Int64(bound)) : String(bound))"
    }
}

/// The run figures a `limits:` assertion can bound.
public enum RunLimit: String, Sendable, CaseIterable, Hashable {
    /// Tokens the model wrote: sampled plus grammar-forced.
    case tokens
    /// Sampled tokens only.
    case generatedTokens = "generated_tokens"
    case promptTokens = "prompt_tokens"
    case toolCalls = "tool_calls"
    /// The most KV-cache slots in use at once.
    case kvPeak = "kv_peak"

    func value(in metrics: CaseMetrics) -> Int {
        switch self {
        case .tokens: return metrics.generatedTokens + metrics.forcedTokens
        case .generatedTokens: return metrics.generatedTokens
        case .promptTokens: return metrics.promptTokens
        case .toolCalls: return metrics.toolCalls
        case .kvPeak: return metrics.peakKVSlots
        }
    }
}
