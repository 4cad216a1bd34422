extension JSONValue {
    /// Parses a JSON text (RFC 8259, strict).
    ///
    /// Integers that fit in `Int64` (no fraction, no exponent) become `.integer`; every other
    /// number becomes `.number`. When an object repeats a key, the last value wins and the
    /// key keeps its first position. Nesting deeper than ``JSONParser/maximumDepth`` is an
    /// error rather than a stack overflow.
    ///
    /// ```swift
    /// let value = try JSONValue(parsing: #"{"id": 7, "tags": ["a"]}"#)
    /// value["id"]  // .integer(7)
    /// ```
    public init(parsing text: String) throws(JSONParseError) {
        var parser = JSONParser(bytes: Array(text.utf8))
        self = try parser.parseDocument()
    }

    /// Parses a JSON text given as UTF-8 bytes; invalid UTF-8 is an error.
    public init<Bytes: Collection>(parsing bytes: Bytes) throws(JSONParseError) where Bytes.Element == UInt8 {
        var parser = JSONParser(bytes: Array(bytes))
        self = try parser.parseDocument()
    }
}

/// A strict RFC 8259 parser over UTF-8 bytes.
///
/// Use ``JSONValue/init(parsing:)-(String)``; this type exists so the limits are documented in
/// one place.
public struct JSONParser {
    /// The deepest nesting of arrays and objects accepted.
    public static let maximumDepth = 512

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw error("the text starts with a byte order mark; remove it", at: 0)
        }
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count {
            throw error("unexpected \(describe(at: index)) after the end of the JSON value")
        }
        return value
    }

    // MARK: Values

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected \(describe(at: index)), expected a value")
        }
    }

    private mutating func expectLiteral(_ literal: String) throws(JSONParseError) {
        let start = index
        for expected in literal.utf8 {
            guard index < bytes.count, bytes[index] == expected else {
                throw error("invalid literal, expected `\(literal)`", at: start)
            }
            index += 1
        }
        if index < bytes.count, isIdentifierByte(bytes[index]) {
            throw error("invalid literal, expected `\(literal)`", at: start)
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterNesting()
        index += 1  // {
        var object = JSONObject()
        skipWhitespace()
        if peek(UInt8(ascii: "}")) {
            index += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard peek(UInt8(ascii: "\"")) else {
                throw error(index < bytes.count ? "expected a string key, found \(describe(at: index))" : "unexpected end of input inside an object")
            }
            let key = try parseString()
            skipWhitespace()
            guard peek(UInt8(ascii: ":")) else {
                throw error(index < bytes.count ? "expected `:` after the key \"\(key)\", found \(describe(at: index))" : "unexpected end of input after an object key")
            }
            index += 1
            skipWhitespace()
            object[key] = try parseValue()  // a repeated key: last value wins
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input inside an object, expected `,` or `}`") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return .object(object)
            }
            throw error("expected `,` or `}` in an object, found \(describe(at: index))")
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterNesting()
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek(UInt8(ascii: "]")) {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input inside an array, expected `,` or `]`") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return .array(elements)
            }
            throw error("expected `,` or `]` in an array, found \(describe(at: index))")
        }
    }

    private mutating func enterNesting() throws(JSONParseError) {
        depth += 1
        if depth > Self.maximumDepth {
            throw error("nesting deeper than \(Self.maximumDepth) arrays and objects")
        }
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var isIntegral = true
        if peek(UInt8(ascii: "-")) { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else {
            throw error("a minus sign must be followed by a digit", at: index)
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw error("a number cannot have a leading zero", at: start)
            }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if peek(UInt8(ascii: ".")) {
            isIntegral = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error("a decimal point must be followed by a digit", at: index)
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isIntegral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error("an exponent must have at least one digit", at: index)
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, isIdentifierByte(bytes[index]) || bytes[index] == UInt8(ascii: ".") {
            throw error("invalid number", at: start)
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isIntegral, let integer = Int64(text) { return .integer(integer) }
        guard let double = Double(text), double.isFinite else {
            throw error("the number \(text) is out of the range of a double", at: start)
        }
        return .number(double)
    }

    // MARK: Strings

    private mutating func parseString() throws(JSONParseError) -> String {
        let quote = index
        index += 1
        var result = ""
        var runStart = index
        while true {
            guard index < bytes.count else { throw error("unterminated string", at: quote) }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                try appendRun(runStart..<index, to: &result)
                index += 1
                return result
            }
            if byte == UInt8(ascii: "\\") {
                try appendRun(runStart..<index, to: &result)
                result.unicodeScalars.append(try parseEscape())
                runStart = index
                continue
            }
            if byte < 0x20 {
                throw error("a control character (U+\(hex4(UInt32(byte)))) must be escaped inside a string")
            }
            index += 1
        }
    }

    /// Appends the raw bytes `range` of a string (no escapes inside) after checking their UTF-8.
    private func appendRun(_ range: Range<Int>, to result: inout String) throws(JSONParseError) {
        guard !range.isEmpty else { return }
        let run = bytes[range]
        if !run.allSatisfy({ $0 < 0x80 }) {
            var decoder = UTF8()
            var iterator = run.makeIterator()
            var offset = range.lowerBound
            loop: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar): offset += UTF8.width(scalar)
                case .emptyInput: break loop
                case .error: throw error("invalid UTF-8 in a string", at: offset)
                }
            }
        }
        // The bytes are valid UTF-8 now, so decoding repairs nothing.
        result += String(decoding: run, as: UTF8.self)
    }

    private mutating func parseEscape() throws(JSONParseError) -> Unicode.Scalar {
        let start = index
        index += 1  // backslash
        guard index < bytes.count else { throw error("unterminated string", at: start) }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try parseHex4(escapeStart: start)
            if (0xDC00...0xDFFF).contains(high) {
                throw error("a lone low surrogate \\u\(hex4(high)) is not a Unicode scalar", at: start)
            }
            if (0xD800...0xDBFF).contains(high) {
                let lowStart = index
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw error("a high surrogate \\u\(hex4(high)) must be followed by a low surrogate escape", at: start)
                }
                index += 2
                let low = try parseHex4(escapeStart: lowStart)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error("a high surrogate \\u\(hex4(high)) must be followed by a low surrogate escape", at: start)
                }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
            }
            return Unicode.Scalar(high)!
        default:
            throw error("invalid escape sequence `\\\(printable(byte))`", at: start)
        }
    }

    private mutating func parseHex4(escapeStart: Int) throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count, let digit = hexValue(bytes[index]) else {
                throw error("a \\u escape needs four hexadecimal digits", at: escapeStart)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    // MARK: Helpers

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func peek(_ byte: UInt8) -> Bool { index < bytes.count && bytes[index] == byte }
    private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private func isIdentifierByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == UInt8(ascii: "_")
    }

    private func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: return UInt32(byte - 0x30)
        case 0x41...0x46: return UInt32(byte - 0x41 + 10)
        case 0x61...0x66: return UInt32(byte - 0x61 + 10)
        default: return nil
        }
    }

    private func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private func printable(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    private func describe(at position: Int) -> String {
        let byte = bytes[position]
        return byte >= 0x21 && byte < 0x7F ? "`\(UnicodeScalar(byte))`" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    private func error(_ message: String, at position: Int? = nil) -> JSONParseError {
        let offset = min(position ?? index, bytes.count)
        var line = 1
        var lineStart = 0
        for i in 0..<offset where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        // Columns count scalars: every byte that does not continue a UTF-8 sequence.
        let column = bytes[lineStart..<offset].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
        return JSONParseError(message: message, line: line, column: column, offset: offset)
    }
}
