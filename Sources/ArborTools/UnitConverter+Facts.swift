import ArborSchema
import Foundation

/// The conversions between the units a text names, worked out by `unit_convert`'s own table:
/// what the `prose` tree syntax states under a workflow's instructions when the workflow has
/// the built-in converter. A small model writes conversions in prose or Python with a factor
/// it remembers (often wrongly: "1000 pounds in a kilogram"); with the converter's factor in
/// front of it, it multiplies by that, and the calculator does the rest.
///
/// A unit counts as named when its full name appears as a word (`miles`, `Celsius`), when
/// an unambiguous symbol does (`km`, `MiB`), or when a short symbol follows a number (`5 m`,
/// `3 h`; `in` never counts). Every ordered pair of named units of one kind gets a line.
///
/// ```swift
/// UnitFacts.lines(mentionedIn: "3 laps of 2.5 miles. How many kilometers is that?")
/// // ["1 mile = 1.609344 kilometers", "1 kilometer = 0.6213711922 miles"]
/// ```
public enum UnitFacts {
    /// One unit as the facts name it: the converter's symbol and the words written for it.
    private struct Named {
        let symbol: String
        let singular: String
        let plural: String
    }

    private static let named: [Named] = [
        .init(symbol: "mi", singular: "mile", plural: "miles"), .init(symbol: "km", singular: "kilometer", plural: "kilometers"),
        .init(symbol: "m", singular: "meter", plural: "meters"), .init(symbol: "cm", singular: "centimeter", plural: "centimeters"),
        .init(symbol: "mm", singular: "millimeter", plural: "millimeters"), .init(symbol: "yd", singular: "yard", plural: "yards"),
        .init(symbol: "ft", singular: "foot", plural: "feet"), .init(symbol: "in", singular: "inch", plural: "inches"),
        .init(symbol: "nmi", singular: "nautical mile", plural: "nautical miles"),
        .init(symbol: "kg", singular: "kilogram", plural: "kilograms"), .init(symbol: "g", singular: "gram", plural: "grams"),
        .init(symbol: "mg", singular: "milligram", plural: "milligrams"), .init(symbol: "t", singular: "tonne", plural: "tonnes"),
        .init(symbol: "lb", singular: "pound", plural: "pounds"), .init(symbol: "oz", singular: "ounce", plural: "ounces"),
        .init(symbol: "st", singular: "stone", plural: "stone"),
        .init(symbol: "s", singular: "second", plural: "seconds"), .init(symbol: "ms", singular: "millisecond", plural: "milliseconds"),
        .init(symbol: "min", singular: "minute", plural: "minutes"), .init(symbol: "h", singular: "hour", plural: "hours"),
        .init(symbol: "d", singular: "day", plural: "days"), .init(symbol: "wk", singular: "week", plural: "weeks"),
        .init(symbol: "yr", singular: "year", plural: "years"),
        .init(symbol: "degC", singular: "Celsius", plural: "Celsius"), .init(symbol: "degF", singular: "Fahrenheit", plural: "Fahrenheit"),
        .init(symbol: "K", singular: "kelvin", plural: "kelvin"),
        .init(symbol: "B", singular: "byte", plural: "bytes"),
    ] + ["kB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB"].map { .init(symbol: $0, singular: $0, plural: $0) }

    /// Words that name a unit wherever they stand (matched ignoring case), and symbols that
    /// do (matched exactly).
    private static let words: [String: String] = {
        var table: [String: String] = ["metre": "m", "metres": "m", "kilometre": "km", "kilometres": "km", "centimetre": "cm",
                                       "centimetres": "cm", "lbs": "lb", "hrs": "h"]
        for unit in named where unit.singular.count > 3 {
            table[unit.singular.lowercased()] = unit.symbol
            table[unit.plural.lowercased()] = unit.symbol
        }
        table["day"] = "d"
        table["days"] = "d"
        return table
    }()
    private static let symbols: Set<String> = ["km", "cm", "mm", "kg", "mg", "lb", "oz", "ft", "yd",
                                               "kB", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB", "°C", "°F"]
    /// Symbols that are words too (`m`, `in`, `min`): a unit only right after a number.
    private static let shortSymbols: Set<String> = ["m", "g", "t", "s", "h", "d", "mi", "min", "hr", "ms", "B"]

    /// The facts for the units `text` names, in the order they are first named.
    public static func lines(mentionedIn text: String) -> [String] {
        let units = mentionedSymbols(in: text)
        var lines: [String] = []
        for from in units {
            for to in units where to != from {
                if let line = fact(from: from, to: to) { lines.append(line) }
            }
        }
        return lines
    }

    /// The converter's symbols for the units `text` names, each once, first named first.
    static func mentionedSymbols(in text: String) -> [String] {
        var found: [String] = []
        var previousWasNumber = false
        for word in wordsAndNumbers(of: text) {
            if word.first?.isNumber == true {
                previousWasNumber = true
                continue
            }
            var symbol = words[word.lowercased()] ?? (symbols.contains(word) ? word : nil)
            if symbol == nil, previousWasNumber, shortSymbols.contains(word) { symbol = word }
            switch symbol {
            case "KB": symbol = "kB"
            case "°C": symbol = "degC"
            case "°F": symbol = "degF"
            case "hr": symbol = "h"
            default: break
            }
            if let symbol, !found.contains(symbol) { found.append(symbol) }
            previousWasNumber = false
        }
        return found
    }

    /// `text` split into numbers (`2.5`, `1,000`) and words (letters, `°`); other marks
    /// separate them.
    private static func wordsAndNumbers(of text: String) -> [String] {
        var result: [String] = []
        var current = ""
        func flush() {
            if !current.isEmpty { result.append(current) }
            current = ""
        }
        for character in text {
            let isNumberPart = character.isNumber || ((character == "." || character == ",") && current.first?.isNumber == true)
            if character.isLetter || character == "°" {
                if current.first?.isNumber == true { flush() }
                current.append(character)
            } else if isNumberPart {
                if current.first?.isNumber != true { flush() }
                current.append(character)
            } else {
                flush()
            }
        }
        flush()
        return result
    }

    /// `1 mile = 1.609344 kilometers`, or the formula between two temperature scales; nil when
    /// the two are of different kinds.
    private static func fact(from: String, to: String) -> String? {
        guard let source = named.first(where: { $0.symbol == from }), let target = named.first(where: { $0.symbol == to }),
              let one = try? UnitConverter.convert(1, from: from, to: to), one["kind"]?.stringValue != nil,
              let factor = one["value"]?.doubleValue else { return nil }
        if one["kind"]?.stringValue == "temperature" {
            guard let zero = (try? UnitConverter.convert(0, from: from, to: to))?["value"]?.doubleValue else { return nil }
            let slope = factor - zero
            if slope == 1 || abs(zero - zero.rounded()) < 1e-9 {
                let scale = slope == 1 ? "" : " × \(fraction(slope))"
                let shift = zero == 0 ? "" : zero > 0 ? " + \(decimal(zero))" : " - \(decimal(-zero))"
                return "\(target.singular) = \(source.singular)\(scale)\(shift)"
            }
            // (°F - 32) × 5/9 rather than °F × 5/9 - 17.7777777778
            let offset = -zero / slope
            let shifted = offset > 0 ? "(\(source.singular) - \(decimal(offset)))" : "(\(source.singular) + \(decimal(-offset)))"
            return "\(target.singular) = \(shifted) × \(fraction(slope))"
        }
        return "1 \(source.singular) = \(decimal(factor)) \(factor == 1 ? target.singular : target.plural)"
    }

    /// A factor with at most 10 significant digits, written out without exponent or trailing
    /// zeros (`60`, `0.00001578282828`), as a model would copy it into a calculation.
    static func decimal(_ value: Double) -> String {
        guard value != 0, value.isFinite else { return "0" }
        let decimals = max(0, 9 - Int(log10(abs(value)).rounded(.down)))
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// 9/5 and 5/9, the temperature scales' slopes, as fractions; others as decimals.
    private static func fraction(_ slope: Double) -> String {
        for (numerator, denominator) in [(9, 5), (5, 9)] where abs(slope - Double(numerator) / Double(denominator)) < 1e-12 {
            return "\(numerator)/\(denominator)"
        }
        return decimal(slope)
    }
}
