import ArborSchema
import Foundation

/// `datetime` and `date_diff`: the current time in a time zone, days between dates.
enum DateTools {
    /// `{"datetime": "2026-11-23T10:17:09+01:00", "timezone": "Europe/Paris", "utc_offset": "+01:00",
    ///   "date": "2026-11-23", "weekday": "Monday", "unix_time": 1795425429}`.
    static func now(in identifier: String, at date: Date) throws -> JSONValue {
        guard let zone = identifier.uppercased() == "UTC" || identifier == "Z" ? TimeZone(identifier: "UTC") : TimeZone(identifier: identifier) else {
            throw BuiltinFailure(message: "'\(identifier)' is not an IANA time zone (such as UTC or Europe/Paris)")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let seconds = zone.secondsFromGMT(for: date)
        let offset = seconds == 0 ? "Z" : String(format: "%@%02d:%02d", seconds < 0 ? "-" : "+", abs(seconds) / 3600, abs(seconds) % 3600 / 60)
        let day = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        let time = String(format: "%02d:%02d:%02d", c.hour!, c.minute!, c.second!)
        let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        return ["datetime": .string("\(day)T\(time)\(offset)"), "timezone": .string(zone.identifier),
                "utc_offset": .string(offset == "Z" ? "+00:00" : offset), "date": .string(day),
                "weekday": .string(weekdays[(c.weekday! - 1) % 7]), "unix_time": .integer(Int64(date.timeIntervalSince1970.rounded(.down)))]
    }

    /// `{"days": n}`: whole days from `start` to `end`, negative when `end` is earlier.
    static func days(from start: String, to end: String) throws -> JSONValue {
        let a = try dayNumber(start), b = try dayNumber(end)
        return ["days": .integer(b - a)]
    }

    /// Days since 1970-01-01 of a proleptic Gregorian `YYYY-MM-DD`.
    static func dayNumber(_ text: String) throws -> Int64 {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int64(parts[0]), let m = Int64(parts[1]), let d = Int64(parts[2]),
              (1...12).contains(m), d >= 1, d <= daysInMonth(y, m) else {
            throw BuiltinFailure(message: "'\(text)' is not a date of the form YYYY-MM-DD")
        }
        // Days-from-civil (Howard Hinnant's algorithm).
        let year = m <= 2 ? y - 1 : y
        let era = (year >= 0 ? year : year - 399) / 400
        let yoe = year - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    private static func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
