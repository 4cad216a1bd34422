/// The `format` values Arbor asserts, each as a regex (for a grammar) and as a full check.
///
/// The regex (``regex``) describes the syntax and is what a decoding grammar can enforce; the
/// validator uses ``isValid(_:)``, which adds what a regular language cannot say cleanly:
/// the days of each month and leap years, the leap-second rule, length limits. Anything the
/// regex accepts but ``isValid(_:)`` rejects is rare (`2023-02-30`), and final validation
/// catches it.
///
/// - `date-time`, `date`, `time`: RFC 3339 (`time` requires an offset, like `date-time`).
/// - `email`: a dot-atom local part `@` a dot-separated host name (no quoted local parts, no
///   IP literals); local part ≤ 64 bytes, whole address ≤ 254.
/// - `uuid`: RFC 4122 textual form, any version, either case.
/// - `uri`: an absolute URI (RFC 3986): a scheme, `:`, then URI characters or `%XX` escapes.
/// - `ipv4`: dotted quad, octets 0–255 without leading zeros.
/// - `ipv6`: RFC 4291 text forms (RFC 3986 `IPv6address`): `::` compression, an embedded
///   IPv4 tail, no zone identifier.
/// - `hostname`: RFC 1123 labels of 1–63 letters, digits and inner hyphens, separated by dots,
///   at most 253 characters, no trailing dot.
///
/// ```swift
/// StringFormat.date.isValid("2024-02-29")  // true
/// StringFormat.date.isValid("2023-02-29")  // false
/// try RegexPattern(StringFormat.uuid.regex).matches("123e4567-e89b-12d3-a456-426614174000")
/// ```
public enum StringFormat: String, Sendable, Hashable, CaseIterable {
    case dateTime = "date-time"
    case date
    case time
    case email
    case uuid
    case uri
    case ipv4
    case ipv6
    case hostname

    private static let dateSyntax = #"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"#
    private static let timeSyntax = #"(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)"#
    private static let atom = #"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"#
    private static let label = #"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"#
    private static let octet = #"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"#
    private static let ipv4Syntax = octet + #"(?:\."# + octet + "){3}"
    private static let h16 = "[0-9A-Fa-f]{1,4}"

    /// RFC 3986 `IPv6address`, one alternative per position of `::` (no zone identifier).
    private static var ipv6Syntax: String {
        let ls32 = "(?:\(h16):\(h16)|\(ipv4Syntax))"
        func head(_ maximum: Int) -> String { "(?:(?:\(h16):){0,\(maximum)}\(h16))?" }
        let alternatives = [
            "(?:\(h16):){6}\(ls32)",
            "::(?:\(h16):){5}\(ls32)",
            "(?:\(h16))?::(?:\(h16):){4}\(ls32)",
            "\(head(1))::(?:\(h16):){3}\(ls32)",
            "\(head(2))::(?:\(h16):){2}\(ls32)",
            "\(head(3))::\(h16):\(ls32)",
            "\(head(4))::\(ls32)",
            "\(head(5))::\(h16)",
            "\(head(6))::",
        ]
        return "(?:" + alternatives.joined(separator: "|") + ")"
    }

    /// An anchored ECMA-262 regex (Arbor's supported subset) for the format's syntax.
    public var regex: String {
        switch self {
        case .dateTime: return "^" + Self.dateSyntax + "[Tt]" + Self.timeSyntax + "$"
        case .date: return "^" + Self.dateSyntax + "$"
        case .time: return "^" + Self.timeSyntax + "$"
        case .email: return "^" + Self.atom + #"(?:\."# + Self.atom + ")*@" + Self.label + #"(?:\."# + Self.label + ")*$"
        case .uuid: return "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
        case .uri: return #"^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*$"#
        case .ipv4: return "^" + Self.ipv4Syntax + "$"
        case .ipv6: return "^" + Self.ipv6Syntax + "$"
        case .hostname: return "^" + Self.label + #"(?:\."# + Self.label + ")*$"
        }
    }

    /// ``regex`` compiled (the formats' regexes are fixed and known to compile).
    public var pattern: RegexPattern {
        // The regexes above are constants inside the supported subset; a failure is a bug here.
        guard let pattern = try? RegexPattern(regex) else { preconditionFailure("format regex for \(rawValue) must compile") }
        return pattern
    }

    /// Whether `string` is a valid instance of the format (syntax and semantics).
    public func isValid(_ string: String) -> Bool {
        switch self {
        case .date: return Self.validDate(Substring(string))
        case .time: return Self.validTime(Substring(string))
        case .dateTime:
            guard let separator = string.firstIndex(where: { $0 == "T" || $0 == "t" }) else { return false }
            return Self.validDate(string[..<separator]) && Self.validTime(string[string.index(after: separator)...])
        case .email:
            guard string.utf8.count <= 254, let at = string.lastIndex(of: "@"), string[..<at].utf8.count <= 64 else { return false }
            return Self.formatPattern(self)?.matches(string) == true
        case .uuid, .uri, .ipv6:
            return Self.formatPattern(self)?.matches(string) == true
        case .hostname:
            return string.utf8.count <= 253 && Self.formatPattern(self)?.matches(string) == true
        case .ipv4:
            let parts = string.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 4 && parts.allSatisfy { part in
                guard (1...3).contains(part.count), part.allSatisfy(\.isDecimalDigitASCII), let value = Int(part), value <= 255 else { return false }
                return part.count == 1 || part.first != "0"
            }
        }
    }

    private static func formatPattern(_ format: StringFormat) -> RegexDFA? {
        switch format {
        case .email: return emailDFA
        case .uri: return uriDFA
        case .ipv6: return ipv6DFA
        case .hostname: return hostnameDFA
        default: return uuidDFA
        }
    }

    // Whole-string automata, built once on first use (the regexes are constants known to compile).
    private static let emailDFA = try? StringFormat.email.pattern.dfa(mode: .wholeString)
    private static let uriDFA = try? StringFormat.uri.pattern.dfa(mode: .wholeString)
    private static let uuidDFA = try? StringFormat.uuid.pattern.dfa(mode: .wholeString)
    private static let ipv6DFA = try? StringFormat.ipv6.pattern.dfa(mode: .wholeString)
    private static let hostnameDFA = try? StringFormat.hostname.pattern.dfa(mode: .wholeString)
    private static let dateDFA = try? RegexPattern(dateSyntax).dfa(mode: .wholeString)
    private static let timeDFA = try? RegexPattern(timeSyntax).dfa(mode: .wholeString)

    private static func validDate(_ text: Substring) -> Bool {
        guard dateDFA?.matches(String(text)) == true else { return false }
        let fields = text.split(separator: "-").compactMap { Int($0) }
        guard fields.count == 3 else { return false }
        let (year, month, day) = (fields[0], fields[1], fields[2])
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }

    private static func validTime(_ text: Substring) -> Bool {
        guard timeDFA?.matches(String(text)) == true else { return false }
        let digits = text.split(whereSeparator: { !$0.isDecimalDigitASCII })
        guard digits.count >= 3, let hour = Int(digits[0]), let minute = Int(digits[1]), let second = Int(digits[2]) else { return false }
        guard second == 60 else { return true }
        // A leap second exists only at 23:59:60 UTC: undo the offset to check.
        var offsetMinutes = 0
        if let sign = text.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let offset = text[text.index(after: sign)...].split(separator: ":").compactMap { Int($0) }
            guard offset.count == 2 else { return false }
            offsetMinutes = (offset[0] * 60 + offset[1]) * (text[sign] == "+" ? 1 : -1)
        }
        let utc = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
        return utc == 23 * 60 + 59
    }
}

fileprivate extension Character {
    var isDecimalDigitASCII: Bool { isASCII && isWholeNumber }
}
