/// Why an assertion did not hold: a sentence, and the expected and actual values when a
/// diff helps.
public struct AssertionFailure: Sendable, Equatable {
    public var assertion: Assertion
    /// What went wrong, as a sentence.
    public var message: String
    public var expected: String?
    public var actual: String?

    public init(assertion: Assertion, message: String, expected: String? = nil, actual: String? = nil) {
        self.assertion = assertion
        self.message = message
        self.expected = expected
        self.actual = actual
    }

    /// The line diff of expected and actual (`- expected`, `+ actual`), when both are known.
    public var diff: String? {
        guard let expected, let actual else { return nil }
        return LineDiff.render(expected: expected, actual: actual)
    }
}
