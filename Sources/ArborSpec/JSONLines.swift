import ArborSchema
import Foundation

/// A JSON Lines file read line by line: one JSON value a line, blank lines and lines starting
/// with `//` skipped, and a line that is not JSON located at its line and column, so that the
/// readers of such files (`arbor run --inputs-file`, `arbor eval`) report every problem as
/// `FILE:LINE:COLUMN` the same way.
///
/// ```swift
/// let file = try JSONLines.load(path: "cases.jsonl", describedAs: "the inputs file").get()   // or its Unreadable diagnostic
/// for (number, line) in file.numberedLines {
///     if case .malformed(let column, let message) = line { print(file.diagnostic(line: number, column: column, message: message)) }
/// }
/// ```
public struct JSONLines: Sendable {
    /// One line of the file.
    public enum Line: Sendable, Equatable {
        /// Blank, or a `//` comment.
        case skipped
        case value(JSONValue)
        /// Not JSON: the 1-based column (in the line as written, leading blanks included) and why.
        case malformed(column: Int, message: String)
    }

    /// The file's name, as diagnostics show it.
    public let file: String
    /// Every line, the first at index 0.
    public let lines: [Line]

    /// Reads `text`, named `file` in diagnostics.
    public init(text: String, file: String) {
        self.file = file
        // "\r\n" is one Character in Swift, so splitting at "\n" alone would keep a CRLF file in one line.
        lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { (line: Substring) -> Line in
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.hasPrefix("//") { return .skipped }
            do throws(JSONParseError) {
                return .value(try JSONValue(parsing: Array(trimmed.utf8)))
            } catch {
                let leading = line.prefix { $0 == " " || $0 == "\t" }.count
                return .malformed(column: leading + error.column, message: error.message)
            }
        }
    }

    /// A file that cannot be read, as the diagnostic that says so.
    public struct Unreadable: Error, Sendable {
        public var diagnostic: SpecDiagnostic
    }

    /// The file at `path`, or why it cannot be read (`what` names the file in the diagnostic:
    /// "the inputs file").
    public static func load(path: String, describedAs what: String) -> Result<JSONLines, Unreadable> {
        do {
            return .success(JSONLines(text: try String(contentsOfFile: path, encoding: .utf8), file: path))
        } catch {
            return .failure(Unreadable(diagnostic: SpecDiagnostic(file: path, line: 1, column: 1,
                                                                  message: "cannot read \(what): \(error.localizedDescription)")))
        }
    }

    /// The lines with their 1-based numbers.
    public var numberedLines: [(number: Int, line: Line)] {
        lines.enumerated().map { ($0.offset + 1, $0.element) }
    }

    /// A problem at `line` (1-based) of this file.
    public func diagnostic(line: Int, column: Int = 1, message: String, hint: String? = nil) -> SpecDiagnostic {
        SpecDiagnostic(file: file, line: line, column: column, message: message, hint: hint)
    }
}
