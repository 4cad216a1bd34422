/// A JSON text that is not valid RFC 8259 JSON, with where the problem is.
///
/// `line` and `column` are 1-based; the column counts Unicode scalars from the start of
/// the line. `offset` is the 0-based byte offset into the UTF-8 input.
///
/// ```swift
/// do { _ = try JSONValue(parsing: "{\"a\": tru}") } catch let error as JSONParseError {
///     print(error)  // line 1, column 7 (byte 6): invalid literal, expected `true`…
/// }
/// ```
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as a short phrase ("unterminated string").
    public var message: String
    public var line: Int
    public var column: Int
    public var offset: Int

    public init(message: String, line: Int, column: Int, offset: Int) {
        self.message = message
        self.line = line
        self.column = column
        self.offset = offset
    }

    public var description: String {
        "invalid JSON at line \(line), column \(column) (byte \(offset)): \(message)."
    }
}
