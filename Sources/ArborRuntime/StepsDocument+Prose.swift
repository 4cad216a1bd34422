import Foundation
import ArborGrammar
import ArborSchema

/// The `prose` tree syntax read as the reasoning tree: each finished non-empty line before
/// the answer is a top-level task whose thought is the line; the calculations written in it
/// (``StepsDocument/callOffsets``) are its `tooluse` (one) or its subtasks (several), as in
/// the steps syntax.
extension StepsDocument {
    var proseSteps: [Step] {
        var steps: [Step] = []
        var callIndex = 0
        var lineStart = 0
        let bytes = Array(text.utf8)
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            let line = String(decoding: bytes[lineStart..<offset], as: UTF8.self)
            let calls = callOffsets.dropFirst(callIndex).prefix { $0 <= offset }.count
            lineStart = offset + 1
            let body = line.trimmingCharacters(in: .whitespaces)
            if Self.proseAnswerValueText(line) != nil { break }
            defer { callIndex += calls }
            guard !body.isEmpty else { continue }
            let results = (callIndex..<callIndex + calls).filter { $0 < toolCalls.count }.map { Self.resultValue(of: toolCalls[$0]).compactString }
            steps.append(Step(text: body, firstCall: callIndex, callCount: calls, resultTexts: results))
        }
        return steps
    }

    /// The value after the last line's answer marker: the longest start of it that is JSON
    /// (the rest, a unit or a word, ignored), wrapped in its member when written alone.
    var proseAnswer: JSONValue? {
        guard let line = text.split(separator: "\n", omittingEmptySubsequences: false).last(where: { Self.proseAnswerValueText(String($0)) != nil }),
              let written = Self.proseAnswerValueText(String(line)) else { return nil }
        var candidate = Substring(written)
        while !candidate.isEmpty {
            // the answer may end its sentence with a period (`Answer: 64.`)
            for text in [candidate, candidate.hasSuffix(".") ? candidate.dropLast() : nil].compactMap({ $0 }) {
                if let value = try? JSONValue(parsing: Array(text.utf8)) { return answerMember.map { .object([$0: value]) } ?? value }
            }
            guard let space = candidate.lastIndex(of: " ") else { return nil }
            candidate = candidate[..<space]
        }
        return nil
    }

    /// The text after a line's answer marker (`Answer:` or `**Answer:**`, then `$`), nil
    /// when the line is not an answer line.
    static func proseAnswerValueText(_ line: String) -> String? {
        guard let marker = ProseGrammarBuilder.answerMarkers.first(where: { line.hasPrefix($0) }) else { return nil }
        var rest = line.dropFirst(marker.count)
        if rest.hasPrefix("**") { rest = rest.dropFirst(2) }
        if rest.hasPrefix(" ") { rest = rest.dropFirst() }
        if rest.hasPrefix("$") { rest = rest.dropFirst() }
        return String(rest).trimmingCharacters(in: .whitespaces)
    }
}
