import Foundation

/// A JSON value for the `--json` reports, written with keys in the order given.
///
/// The store keeps inputs, sampling, outputs and tool arguments/results as JSON text; a report
/// embeds that text as JSON (``embedding(_:)``), untouched, instead of re-encoding it
/// through `JSONSerialization` (which would reorder keys and reprint numbers).
///
/// ```swift
/// let value = ReportJSON.object(["id": .string("r-7f3k2q"), "inputs": .embedding(#"{"n":2}"#)])
/// print(value.rendered())
/// ```
public indirect enum ReportJSON: Sendable, Equatable {
    case object(members: [Member])
    case array([ReportJSON])
    case string(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case null
    /// JSON text known to be valid, written as is (its later lines indented to fit).
    case verbatim(String)

    /// One key of an object, in its place.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: ReportJSON

        public init(_ key: String, _ value: ReportJSON) {
            self.key = key
            self.value = value
        }
    }

    /// An object from `(key, value)` pairs in order.
    public static func object(_ members: KeyValuePairs<String, ReportJSON>) -> ReportJSON {
        .object(members: members.map { Member($0.key, $0.value) })
    }

    /// Stored JSON text as a JSON value: `null` for `nil`, the text itself when it parses,
    /// else (a value the schema should have refused) the text as a JSON string.
    public static func embedding(_ text: String?) -> ReportJSON {
        guard let text else { return .null }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parses = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8), options: [.fragmentsAllowed])) != nil
        return parses ? .verbatim(trimmed) : .string(text)
    }

    /// `nil` as `null`, else the string.
    public static func nullable(_ text: String?) -> ReportJSON {
        text.map { .string($0) } ?? .null
    }

    /// `nil` as `null`, else the integer.
    public static func nullable(_ value: Int?) -> ReportJSON {
        value.map { .integer($0) } ?? .null
    }

    /// Pretty-printed with two-space indentation and a final newline.
    public func rendered() -> String {
        var output = ""
        write(to: &output, indent: "")
        return output + "\n"
    }

    /// On one line, without spaces (event payloads, API responses).
    public func compact() -> String {
        var output = ""
        writeCompact(to: &output)
        return output
    }

    private func writeCompact(to output: inout String) {
        switch self {
        case let .object(members):
            output += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { output += "," }
                Self.writeString(member.key, to: &output)
                output += ":"
                member.value.writeCompact(to: &output)
            }
            output += "}"
        case let .array(elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                element.writeCompact(to: &output)
            }
            output += "]"
        case .verbatim(let text):
            output += text
        default:
            write(to: &output, indent: "")
        }
    }

    private func write(to output: inout String, indent: String) {
        switch self {
        case let .object(members):
            if members.isEmpty { output += "{}"; return }
            let inner = indent + "  "
            output += "{\n"
            for (index, member) in members.enumerated() {
                output += inner
                Self.writeString(member.key, to: &output)
                output += ": "
                member.value.write(to: &output, indent: inner)
                output += index == members.count - 1 ? "\n" : ",\n"
            }
            output += indent + "}"
        case let .array(elements):
            if elements.isEmpty { output += "[]"; return }
            let inner = indent + "  "
            output += "[\n"
            for (index, element) in elements.enumerated() {
                output += inner
                element.write(to: &output, indent: inner)
                output += index == elements.count - 1 ? "\n" : ",\n"
            }
            output += indent + "]"
        case let .string(text):
            Self.writeString(text, to: &output)
        case let .integer(value):
            output += String(value)
        case let .number(value):
            output += value.isFinite ? "\(value)" : "null"
        case let .bool(value):
            output += value ? "true" : "false"
        case .null:
            output += "null"
        case let .verbatim(text):
            // A raw newline in JSON text can only be whitespace between tokens (strings
            // escape theirs), so indenting after it keeps the text valid and readable.
            output += text.replacingOccurrences(of: "\n", with: "\n" + indent)
        }
    }

    private static func writeString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
