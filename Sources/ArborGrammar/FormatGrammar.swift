import ArborSchema

/// The regex a grammar writes a `format` string with, and whether the grammar alone then
/// guarantees ``StringFormat/isValid(_:)`` (so no post-check is needed).
///
/// ``StringFormat/regex`` is the format's syntax; the validator adds semantics on top. Where
/// those semantics are regular, the grammar uses a stricter regex of its own:
/// - `date` (and the date of `date-time`): the days of each month, and 29 February only in
///   leap years (years divisible by 4, except centuries not divisible by 400);
/// - `time` (and the time of `date-time`): seconds 00–59 — a leap second (`60`) is valid
///   only at 23:59 UTC, which depends on the offset, so the grammar never writes one.
/// - `email`: a local part of at most three dot-separated atoms of ≤ 20 characters (≤ 62
///   bytes) `@` at most four host labels of ≤ 40 characters (≤ 163 bytes);
/// - `hostname`: at most six labels of ≤ 40 characters (≤ 245 bytes).
/// These two are subsets of the formats, chosen so the length limits (64 bytes for an
/// email's local part, 254 for an email, 253 for a host name) always hold without counting.
/// `uuid`, `uri`, `ipv4` and `ipv6` are exact as they are.
///
/// ```swift
/// FormatGrammar.regex(for: .date).exact   // true: "2023-02-29" cannot be generated
/// ```
enum FormatGrammar {
    private static let day31 = #"(?:0[1-9]|[12]\d|3[01])"#
    private static let day30 = #"(?:0[1-9]|[12]\d|30)"#
    private static let day28 = #"(?:0[1-9]|1\d|2[0-8])"#
    private static let leapYear = #"(?:\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"#
    static let date = #"(?:\d{4}-(?:(?:0[13578]|1[02])-"# + day31 + #"|(?:0[469]|11)-"# + day30 + "|02-" + day28 + ")|"
        + leapYear + "-02-29)"
    static let time = #"(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)"#
    private static let atom = #"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}"#
    private static let label = #"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}[A-Za-z0-9])?"#
    static let email = atom + #"(?:\."# + atom + "){0,2}@" + label + #"(?:\."# + label + "){0,3}"
    static let hostname = label + #"(?:\."# + label + "){0,5}"

    static func regex(for format: StringFormat) -> (pattern: RegexPattern, exact: Bool) {
        let source: String
        switch format {
        case .date: source = "^" + date + "$"
        case .time: source = "^" + time + "$"
        case .dateTime: source = "^" + date + "[Tt]" + time + "$"
        case .email: source = "^" + email + "$"
        case .hostname: source = "^" + hostname + "$"
        case .uuid, .uri, .ipv4, .ipv6: return (format.pattern, true)
        }
        // The sources above are constants inside the supported regex subset.
        guard let pattern = try? RegexPattern(source) else { preconditionFailure("the \(format.rawValue) grammar regex must compile") }
        return (pattern, true)
    }
}
