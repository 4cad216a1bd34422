/// A JSON Pointer (RFC 6901): a path of reference tokens into a JSON value.
///
/// The string form escapes `~` as `~0` and `/` as `~1`; the root is the empty string.
/// Every Arbor error about a place in a JSON document carries one of these.
///
/// ```swift
/// let pointer = try JSONPointer(parsing: "/sources/0/a~1b")
/// pointer.tokens                      // ["sources", "0", "a/b"]
/// pointer.appending("url").string     // "/sources/0/a~1b/url"
/// JSONPointer.root.displayString      // "(root)"
/// ```
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible, Comparable {
    /// The unescaped reference tokens, outermost first.
    public private(set) var tokens: [String]

    public init(tokens: [String] = []) {
        self.tokens = tokens
    }

    /// The pointer to the whole document.
    public static let root = JSONPointer()

    /// Parses the RFC 6901 string form: empty, or `/`-separated tokens with `~0`/`~1` escapes.
    public init(parsing string: String) throws(JSONPointerError) {
        guard !string.isEmpty else {
            self.init()
            return
        }
        guard string.hasPrefix("/") else { throw .missingLeadingSlash(string) }
        var tokens: [String] = []
        for part in string.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var iterator = part.makeIterator()
            while let character = iterator.next() {
                guard character == "~" else {
                    token.append(character)
                    continue
                }
                switch iterator.next() {
                case "0": token.append("~")
                case "1": token.append("/")
                default: throw .invalidEscape(string)
                }
            }
            tokens.append(token)
        }
        self.init(tokens: tokens)
    }

    /// Parses a URI fragment such as `#/$defs/Node` or `#/a%20b` (percent-decoded, then RFC 6901).
    public init(uriFragment: String) throws(JSONPointerError) {
        guard uriFragment.hasPrefix("#") else { throw .missingLeadingSlash(uriFragment) }
        guard let decoded = Self.percentDecode(String(uriFragment.dropFirst())) else {
            throw .invalidPercentEncoding(uriFragment)
        }
        try self.init(parsing: decoded)
    }

    public var isRoot: Bool { tokens.isEmpty }

    /// The RFC 6901 string form ("" for the root).
    public var string: String {
        tokens.map { "/" + Self.escape($0) }.joined()
    }

    /// The string form, except that the root reads `(root)` so messages never start with ": ".
    public var displayString: String { isRoot ? "(root)" : string }

    public var description: String { string }

    /// The URI-fragment form used by `$ref` (`#/$defs/Node`); characters outside the
    /// fragment-safe set are percent-encoded.
    public var uriFragment: String {
        "#" + Self.percentEncode(string)
    }

    /// The pointer with one more token.
    public func appending(_ token: String) -> JSONPointer {
        var copy = self
        copy.tokens.append(token)
        return copy
    }

    /// The pointer with one more array index.
    public func appending(index: Int) -> JSONPointer { appending(String(index)) }

    /// The pointer with all of `other`'s tokens appended.
    public func appending(_ other: JSONPointer) -> JSONPointer {
        var copy = self
        copy.tokens += other.tokens
        return copy
    }

    /// The pointer one level up, or nil for the root.
    public var parent: JSONPointer? {
        isRoot ? nil : JSONPointer(tokens: Array(tokens.dropLast()))
    }

    /// The value this pointer designates in `document`, or nil if a token does not exist.
    ///
    /// Array tokens must be canonical decimal indices (`0`, `12`, not `01` or `-`).
    public func resolve(in document: JSONValue) -> JSONValue? {
        var current = document
        for token in tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let elements):
                guard let index = Self.arrayIndex(token), index < elements.count else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    public static func < (lhs: JSONPointer, rhs: JSONPointer) -> Bool {
        lhs.tokens.lexicographicallyPrecedes(rhs.tokens)
    }

    // MARK: Escaping

    /// Escapes one reference token: `~` → `~0`, `/` → `~1`.
    public static func escape(_ token: String) -> String {
        guard token.contains("~") || token.contains("/") else { return token }
        return token.replacingEvery("~", with: "~0").replacingEvery("/", with: "~1")
    }

    static func arrayIndex(_ token: String) -> Int? {
        guard let first = token.utf8.first, token.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        if first == 0x30 && token.utf8.count > 1 { return nil }
        return Int(token)
    }

    private static func percentDecode(_ string: String) -> String? {
        guard string.contains("%") else { return string }
        var bytes: [UInt8] = []
        var utf8 = Array(string.utf8)[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(value)
            utf8 = utf8.dropFirst(2)
        }
        // Reject invalid UTF-8 rather than repairing it (String(validating:) needs macOS 15).
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return String(decoding: bytes, as: UTF8.self)
            case .error: return nil
            }
        }
    }

    private static func percentEncode(_ string: String) -> String {
        var result = ""
        for byte in string.utf8 {
            let scalar = Unicode.Scalar(byte)
            let safe = (byte < 0x80) && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-._~!$&'()*+,;=:@/?".unicodeScalars.contains(scalar))
            if safe {
                result.unicodeScalars.append(scalar)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }
}

extension JSONValue {
    /// The value at `pointer` inside this one, or nil if it does not exist.
    ///
    /// ```swift
    /// let value: JSONValue = ["a": [10, 20]]
    /// value[pointer: JSONPointer(tokens: ["a", "1"])]  // 20
    /// ```
    public subscript(pointer pointer: JSONPointer) -> JSONValue? {
        pointer.resolve(in: self)
    }
}

/// A string that is not a valid JSON pointer or pointer fragment.
public enum JSONPointerError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingLeadingSlash(String)
    case invalidEscape(String)
    case invalidPercentEncoding(String)

    public var description: String {
        switch self {
        case .missingLeadingSlash(let s):
            return "the JSON pointer \"\(s)\" must be empty or start with `/` (a fragment must start with `#`)."
        case .invalidEscape(let s):
            return "the JSON pointer \"\(s)\" has a `~` not followed by 0 or 1; write `~0` for `~` and `~1` for `/`."
        case .invalidPercentEncoding(let s):
            return "the URI fragment \"\(s)\" has an invalid percent-escape; use `%` followed by two hex digits of UTF-8."
        }
    }
}

fileprivate extension String {
    func replacingEvery(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
