import ArborRuntime
import ArborSchema
import Foundation

/// Reads the final answer out of free text, the way `arbor eval --baseline free-text` scores
/// a model that was asked in plain chat.
///
/// The rules, in order:
/// - **a number** is expected: the first number after the last `Answer:` (any case, Markdown
///   `**` around it allowed); when no `Answer:` line has one, the last number in the text.
///   Thousands separators (`1,234`), a leading `$` and a trailing `%` or unit are ignored.
/// - **text** is expected: the rest of the line after the last `Answer:`, without surrounding
///   spaces, quotes, `*` and a final `.`; without an `Answer:` line, the last non-empty line.
///
/// ```swift
/// AnswerExtractor.extract(from: "8 * 7 = 56\nAnswer: $1,066.50", expecting: .integer(1)) // .number(1066.5)
/// ```
public enum AnswerExtractor {
    /// The answer in `text`, of the same kind as `expected`; nil when there is none.
    public static func extract(from text: String, expecting expected: JSONValue) -> JSONValue? {
        if expected.doubleValue != nil {
            if let tail = afterLastAnswerMarker(text), let number = numbers(in: tail).first { return number }
            return numbers(in: text[...]).last
        }
        let line: Substring
        if let tail = afterLastAnswerMarker(text) {
            line = tail.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
        } else {
            guard let last = text.split(separator: "\n").last(where: { !$0.allSatisfy(\.isWhitespace) }) else { return nil }
            line = last
        }
        var answer = line.trimmingCharacters(in: CharacterSet(charactersIn: " \t*\"'`"))
        if answer.hasSuffix(".") { answer.removeLast() }
        return answer.isEmpty ? nil : .string(answer)
    }

    /// What the last ```` ```python ```` block of `text` prints, run by ``ProseProgram`` (its
    /// straight-line arithmetic, never Python itself); nil when there is no closed block or
    /// the program is more than arithmetic or prints nothing. `--baseline program` reads the
    /// answer from this output by the same rules.
    public static func programOutput(in text: String) -> String? {
        guard let open = text.range(of: "```python", options: .backwards),
              let close = text[open.upperBound...].range(of: "```") else { return nil }
        return ProseProgram.output(endingAt: (text[..<close.upperBound] + "\n" + ProseProgram.outputMarker)[...])
    }

    /// Whether the text already holds a finished `Answer:` line (generation may stop there).
    static func hasFinishedAnswerLine(_ text: String) -> Bool {
        guard let tail = afterLastAnswerMarker(text), let newline = tail.firstIndex(of: "\n") else { return false }
        return !tail[..<newline].allSatisfy { $0.isWhitespace || $0 == "*" }
    }

    private static func afterLastAnswerMarker(_ text: String) -> Substring? {
        guard let range = text.range(of: "answer:", options: [.caseInsensitive, .backwards]) else { return nil }
        return text[range.upperBound...]
    }

    /// Every number in `text`, in order: `-12`, `3.5`, `1,234.5` (commas between digit groups).
    static func numbers(in text: Substring) -> [JSONValue] {
        var found: [JSONValue] = []
        let scalars = Array(text.unicodeScalars)
        var index = 0
        func isDigit(_ i: Int) -> Bool { i < scalars.count && ("0"..."9").contains(scalars[i]) }
        while index < scalars.count {
            guard isDigit(index) else { index += 1; continue }
            let negative = index > 0 && scalars[index - 1] == "-" && (index < 2 || !isDigit(index - 2) && scalars[index - 2] != ")")
            var digits = ""
            while index < scalars.count {
                if isDigit(index) {
                    digits.unicodeScalars.append(scalars[index])
                } else if scalars[index] == ",", isDigit(index + 1), isDigit(index + 2), isDigit(index + 3), !isDigit(index + 4) {
                    // a thousands separator: exactly three digits follow
                } else if scalars[index] == ".", isDigit(index + 1), !digits.contains(".") {
                    digits.append(".")
                } else {
                    break
                }
                index += 1
            }
            guard let value = Double(digits) else { continue }
            let signed = negative ? -value : value
            if !digits.contains("."), let whole = Int64(exactly: signed) { found.append(.integer(whole)) } else { found.append(.number(signed)) }
        }
        return found
    }
}
