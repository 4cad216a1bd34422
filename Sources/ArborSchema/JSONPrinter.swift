extension JSONValue {
    /// The value as JSON text with no whitespace, keys in their stored order.
    ///
    /// ```swift
    /// let value: JSONValue = ["a": [1, 2.5, "x"], "b": nil]
    /// value.compactString  // {"a":[1,2.5,"x"],"b":null}
    /// ```
    public var compactString: String {
        var printer = JSONPrinter(indent: nil)
        printer.write(self)
        return printer.output
    }

    /// The value as JSON text indented by two spaces, one member or element per line.
    ///
    /// Empty arrays and objects print as `[]` and `{}`; `": "` separates keys from values.
    public var prettyString: String {
        var printer = JSONPrinter(indent: "  ")
        printer.write(self)
        return printer.output
    }
}

/// Writes JSON text; the rules are chosen so that parsing the output gives back an equal
/// value of the same kinds (`.integer` stays `.integer`, `.number` stays `.number`).
///
/// - Integers print exactly.
/// - Doubles print the shortest digits that round-trip (Swift's `description`), and an
///   integral double keeps a `.0` (`2.0`, not `2`) so it parses back as `.number`; very large
///   or small magnitudes use an exponent (`1e+20`, `5e-324`). JSON has no NaN or infinity:
///   those print as `null`, as JavaScript's `JSON.stringify` does.
/// - Strings escape `"` `\` and the control characters below U+0020 (`\n`, `\t`, … and
///   `\u001F`-style for the rest), and U+2028/U+2029 so the text is also valid JavaScript.
///   Everything else, including non-ASCII, is written as UTF-8.
struct JSONPrinter {
    let indent: String?
    var output = ""
    private var level = 0

    init(indent: String?) {
        self.indent = indent
    }

    mutating func write(_ value: JSONValue) {
        switch value {
        case .null: output += "null"
        case .bool(let b): output += b ? "true" : "false"
        case .integer(let i): output += String(i)
        case .number(let d): output += Self.format(d)
        case .string(let s): Self.writeString(s, to: &output)
        case .array(let elements):
            if elements.isEmpty {
                output += "[]"
                return
            }
            output += "["
            level += 1
            for (position, element) in elements.enumerated() {
                if position > 0 { output += "," }
                newline()
                write(element)
            }
            level -= 1
            newline()
            output += "]"
        case .object(let object):
            if object.isEmpty {
                output += "{}"
                return
            }
            output += "{"
            level += 1
            for (position, member) in object.enumerated() {
                if position > 0 { output += "," }
                newline()
                Self.writeString(member.key, to: &output)
                output += indent == nil ? ":" : ": "
                write(member.value)
            }
            level -= 1
            newline()
            output += "}"
        }
    }

    private mutating func newline() {
        guard let indent else { return }
        output += "\n"
        for _ in 0..<level { output += indent }
    }

    static func format(_ double: Double) -> String {
        guard double.isFinite else { return "null" }
        // Swift's description is the shortest round-trip form: "2.0", "0.1", "1e+20", "5e-324".
        return double.description
    }

    static func writeString(_ string: String, to output: inout String) {
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\u{2028}": output += "\\u2028"
            case "\u{2029}": output += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let digits = String(scalar.value, radix: 16, uppercase: true)
                    output += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}

extension JSONValue: CustomStringConvertible {
    /// The compact JSON text of the value.
    public var description: String { compactString }
}
