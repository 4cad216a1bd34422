/// A `pattern` that Arbor cannot use, with the offending construct and where it starts.
///
/// `offset` counts Unicode scalars from the start of the pattern, 0-based.
///
/// ```swift
/// do { _ = try RegexPattern("(a)\\1") } catch {
///     print(error)  // the regex construct `\1` (backreference) at offset 3 is not supported…
/// }
/// ```
public enum RegexError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Valid ECMA-262 that Arbor's automaton engine does not implement (backreferences,
    /// lookaround, named groups, word boundaries, Unicode property escapes, inline flags).
    case unsupported(construct: String, name: String, offset: Int)
    /// Not a valid regular expression.
    case syntax(message: String, offset: Int)
    /// Valid, but too large to build as an automaton.
    case tooComplex(message: String)

    public var description: String {
        switch self {
        case let .unsupported(construct, name, offset):
            return "the regex construct `\(construct)` (\(name)) at offset \(offset) is not supported; Arbor compiles patterns to automata, so rewrite the pattern without it."
        case let .syntax(message, offset):
            return "invalid regex at offset \(offset): \(message)."
        case let .tooComplex(message):
            return "the regex is too complex to compile: \(message); simplify it or lower its repetition counts."
        }
    }
}
