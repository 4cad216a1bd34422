/// The syntax tree of a parsed regular expression, reduced to what decides the language.
///
/// Capturing and non-capturing groups both become their content, and lazy quantifiers
/// become greedy ones: neither changes which strings match, and Arbor only asks whether a
/// string matches (validation) or which strings can match (grammar).
///
/// ```swift
/// let node = try RegexParser.parse("^a+(?:b|c)$")
/// // .concatenation([.startAnchor, .repetition(.scalars([a]), min: 1, max: nil),
/// //                 .alternation([.scalars([b]), .scalars([c])]), .endAnchor])
/// ```
public indirect enum RegexNode: Sendable, Hashable {
    /// Matches the empty string.
    case empty
    /// Matches one scalar from the set (a literal is a one-member set).
    case scalars(ScalarRangeSet)
    case concatenation([RegexNode])
    case alternation([RegexNode])
    /// `min` to `max` repetitions; `max == nil` means unbounded.
    case repetition(RegexNode, min: Int, max: Int?)
    /// `^`: the start of the input (no multiline mode).
    case startAnchor
    /// `$`: the end of the input (no multiline mode).
    case endAnchor
}
