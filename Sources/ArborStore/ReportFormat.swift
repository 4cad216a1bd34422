import Foundation

/// Small, locale-independent text formats shared by the run reports (`arbor runs`,
/// `arbor inspect`): the same input always prints the same text, so reports can be tested
/// against exact strings.
///
/// ```swift
/// ReportFormat.grouped(12345)                       // "12,345"
/// ReportFormat.age(of: created, now: Date())        // "3 min ago"
/// ```
public enum ReportFormat {
    /// An integer with a comma every three digits: `1,234,567`.
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// How long before `now` something happened: `just now`, `42 s ago`, `3 min ago`,
    /// `5 h ago`, `1 day ago`, `12 days ago`. A date after `now` (another machine's clock)
    /// reads `just now`.
    public static func age(of date: Date, now: Date) -> String {
        let seconds = Int(now.timeIntervalSince(date).rounded(.down))
        switch seconds {
        case ..<5: return "just now"
        case ..<60: return "\(seconds) s ago"
        case ..<3_600: return "\(seconds / 60) min ago"
        case ..<86_400: return "\(seconds / 3_600) h ago"
        default:
            let days = seconds / 86_400
            return days == 1 ? "1 day ago" : "\(days) days ago"
        }
    }

    /// A duration: `850 ms`, `4.2 s`, `3 min 7 s`.
    public static func duration(_ seconds: TimeInterval) -> String {
        let milliseconds = Int((max(seconds, 0) * 1_000).rounded())
        if milliseconds < 1_000 { return "\(milliseconds) ms" }
        if milliseconds < 60_000 { return decimal(Double(milliseconds) / 1_000) + " s" }
        let wholeSeconds = milliseconds / 1_000
        return "\(wholeSeconds / 60) min \(wholeSeconds % 60) s"
    }

    /// A byte count in binary units: `512 B`, `195.3 KiB`, `1.5 MiB`, `2.0 GiB`.
    public static func bytes(_ count: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        if count < 1_024 { return "\(count) B" }
        var value = Double(count) / 1_024
        var unit = 0
        while value >= 1_024, unit < units.count - 1 {
            value /= 1_024
            unit += 1
        }
        return decimal(value) + " " + units[unit]
    }

    /// `part` as a percentage of `whole` with one decimal: `30.0 %` (`0.0 %` when `whole` is 0).
    public static func percent(_ part: Int, of whole: Int) -> String {
        decimal(whole == 0 ? 0 : Double(part) * 100 / Double(whole)) + " %"
    }

    /// A UTC timestamp to the second: `2026-11-23 10:04:02 UTC`.
    public static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "??" }
        return "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day)) "
            + "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) UTC"
    }

    /// An ISO 8601 UTC timestamp with milliseconds, for JSON: `2026-11-23T10:04:02.125Z`.
    public static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// `text` on one line (every run of whitespace, newlines included, becomes one space),
    /// cut to `limit` characters with a final `…` when longer.
    public static func oneLine(_ text: String, limit: Int) -> String {
        let words = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline })
        let line = words.joined(separator: " ")
        guard line.count > limit, limit > 0 else { return line }
        return String(line.prefix(limit - 1)) + "…"
    }

    /// One decimal, rounded half away from zero, without the locale's separators.
    static func decimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}
