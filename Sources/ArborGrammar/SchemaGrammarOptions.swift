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
    /// The most digits before a number's decimal point, and in an integer without an upper
    /// (or lower) bound; at most 18, so that every generated integer fits in `Int64`. A
    /// model writing digits forever would otherwise only stop at the token limit.
    public var maximumIntegerDigits = 18 {
        didSet { maximumIntegerDigits = min(max(maximumIntegerDigits, 1), 18) }
    }
    /// The most digits after a number's decimal point (17 significant digits round-trip any
    /// double).
    public var maximumFractionDigits = 17
    /// How many times a recursive `$ref` may re-enter itself along one path: past it, the
    /// alternatives that would recurse again are dropped from the grammar (a linked list
    /// ends, a tree's children are leaves). Schemas without recursion are not affected.
    public var maximumRecursionDepth = 8

    public init(whitespace: Whitespace = .compact) {
        self.whitespace = whitespace
    }
}
