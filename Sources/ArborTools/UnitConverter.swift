import ArborSchema

/// `unit_convert`: length, mass, time, temperature and data size, by factor to a base unit.
enum UnitConverter {
    private struct Unit {
        let kind: String
        /// Base units per one of this unit (temperature: see `offset`).
        let factor: Double
        /// For temperatures: base (kelvin) = value * factor + offset.
        let offset: Double
    }

    private static let units: [String: Unit] = {
        var table: [String: Unit] = [:]
        func add(_ kind: String, _ factor: Double, _ names: String..., offset: Double = 0) {
            for n in names { table[n] = Unit(kind: kind, factor: factor, offset: offset) }
        }
        add("length", 1, "m", "meter", "meters", "metre", "metres")
        add("length", 1000, "km", "kilometer", "kilometers")
        add("length", 0.01, "cm", "centimeter", "centimeters")
        add("length", 0.001, "mm", "millimeter", "millimeters")
        add("length", 1e-6, "um", "µm", "micrometer")
        add("length", 1609.344, "mi", "mile", "miles")
        add("length", 0.9144, "yd", "yard", "yards")
        add("length", 0.3048, "ft", "foot", "feet")
        add("length", 0.0254, "in", "inch", "inches")
        add("length", 1852, "nmi", "nautical_mile")
        add("mass", 1, "kg", "kilogram", "kilograms")
        add("mass", 0.001, "g", "gram", "grams")
        add("mass", 1e-6, "mg", "milligram", "milligrams")
        add("mass", 1000, "t", "tonne", "tonnes")
        add("mass", 0.45359237, "lb", "lbs", "pound", "pounds")
        add("mass", 0.028349523125, "oz", "ounce", "ounces")
        add("mass", 6.35029318, "st", "stone")
        add("time", 1, "s", "sec", "second", "seconds")
        add("time", 0.001, "ms", "millisecond", "milliseconds")
        add("time", 60, "min", "minute", "minutes")
        add("time", 3600, "h", "hr", "hour", "hours")
        add("time", 86400, "d", "day", "days")
        add("time", 604800, "wk", "week", "weeks")
        add("time", 31_557_600, "yr", "year", "years")  // Julian year
        add("temperature", 1, "K", "kelvin")
        add("temperature", 1, "degC", "°C", "C", "celsius", offset: 273.15)
        add("temperature", 5.0 / 9.0, "degF", "°F", "F", "fahrenheit", offset: 273.15 - 32 * 5.0 / 9.0)
        add("data", 1, "B", "byte", "bytes")
        add("data", 0.125, "bit", "bits")
        add("data", 1e3, "kB", "KB")
        add("data", 1e6, "MB")
        add("data", 1e9, "GB")
        add("data", 1e12, "TB")
        add("data", 1024, "KiB")
        add("data", 1_048_576, "MiB")
        add("data", 1_073_741_824, "GiB")
        add("data", 1_099_511_627_776, "TiB")
        return table
    }()

    static func convert(_ value: Double, from: String, to: String) throws -> JSONValue {
        guard let source = unit(from) else { throw BuiltinFailure(message: "unknown unit '\(from)'") }
        guard let target = unit(to) else { throw BuiltinFailure(message: "unknown unit '\(to)'") }
        guard source.kind == target.kind else {
            throw BuiltinFailure(message: "cannot convert \(source.kind) (\(from)) to \(target.kind) (\(to))")
        }
        let base = value * source.factor + source.offset
        var converted = (base - target.offset) / target.factor
        guard converted.isFinite else { throw BuiltinFailure(message: "\(value) \(from) in \(to) is too large to represent") }
        // Remove binary noise such as 0.30000000000000004 from the last digits.
        if converted != 0, converted.isFinite {
            let magnitude = Double.pow10(15 - Int((Swift.abs(converted)).log10Floor))
            if magnitude.isFinite, magnitude > 0 { converted = (converted * magnitude).rounded() / magnitude }
        }
        return ["value": .number(converted), "unit": .string(to), "kind": .string(source.kind)]
    }

    private static func unit(_ name: String) -> Unit? {
        units[name] ?? units[name.lowercased()]
    }
}

private extension Double {
    static func pow10(_ n: Int) -> Double {
        var result = 1.0
        for _ in 0..<Swift.abs(n) { result *= 10 }
        return n < 0 ? 1 / result : result
    }

    var log10Floor: Double {
        var x = self, n = 0.0
        while x >= 10 { x /= 10; n += 1 }
        while x < 1 { x *= 10; n -= 1 }
        return n
    }
}
