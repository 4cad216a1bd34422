/// Choices the schema → grammar compiler makes that are not dictated by the schema.
///
/// ```swift
/// var options = SchemaGrammarOptions()
/// options.whitespace = .bounded(maximum: 8)   // allow up to 8 of space/tab/newline between tokens
/// ```
public struct SchemaGrammarOptions: Sendable, Hashable {
    /// Whitespace between JSON tokens.
    public enum Whitespace: Sendable, Hashable {
        /// No whitespace at all: `{"a":[1,2]}`. The default: fewest tokens, and a model can
        /// never loop on whitespace.
        case compact
        /// At most `maximum` whitespace bytes (space, tab, newline) at each place JSON
        /// allows whitespace. Never unbounded: an unbounded run is a known way for a
        /// constrained model to loop forever.
        case bounded(maximum: Int)
    }

    public var whitespace: Whitespace = .compact
    /// The most digits in a number's exponent (`1e99` with 2): bounding it keeps generated
    /// numbers finite as doubles.
    public var maximumExponentDigits = 2

    public init(whitespace: Whitespace = .compact) {
        self.whitespace = whitespace
    }
}
