import ArborSchema

/// Typed access to the JSON form of a workflow that records a ``SpecProblem`` for every
/// wrong type, unknown key or missing key instead of stopping.
struct SpecReader {
    private(set) var problems: [SpecProblem] = []

    mutating func report(_ pointer: JSONPointer, anchor: SpecProblem.Anchor = .value, offset: Int? = nil,
                         _ message: String, hint: String? = nil, severity: SpecDiagnostic.Severity = .error) {
        problems.append(SpecProblem(pointer, anchor: anchor, offset: offset, severity: severity, message: message, hint: hint))
    }

    mutating func append(_ other: [SpecProblem]) {
        problems.append(contentsOf: other)
    }

    static func article(_ value: JSONValue) -> String {
        switch value {
        case .null: return "nothing (null)"
        case .bool: return "a boolean"
        case .integer: return "an integer"
        case .number: return "a number"
        case .string(let s): return "the text \"\(s.count > 40 ? String(s.prefix(40)) + "…" : s)\""
        case .array: return "a list"
        case .object: return "a mapping"
        }
    }

    /// A mapping whose keys are checked: unknown keys get a "did you mean" hint, missing
    /// required keys are reported on the mapping itself.
    mutating func mapping(_ value: JSONValue?, at pointer: JSONPointer, what: String,
                          keys allowed: [String], required: [String] = []) -> JSONObject? {
        guard let value else { return nil }
        guard case .object(let object) = value else {
            report(pointer, "\(what) must be a mapping, found \(Self.article(value))")
            return nil
        }
        for key in object.keys where !allowed.contains(key) {
            report(pointer.appending(key), anchor: .key, "unknown key `\(key)` in \(what)",
                   hint: SpellingHint.didYouMean(key, in: allowed) ?? "allowed keys: \(allowed.joined(separator: ", "))")
        }
        for key in required where !object.contains(key) {
            report(pointer, "\(what) is missing the required key `\(key)`")
        }
        return object
    }

    mutating func string(_ value: JSONValue?, at pointer: JSONPointer, what: String, allowEmpty: Bool = false) -> String? {
        guard let value else { return nil }
        guard case .string(let string) = value else {
            report(pointer, "\(what) must be text, found \(Self.article(value))",
                   hint: value.isNull ? nil : (value.arrayValue == nil && value.objectValue == nil ? "quote it: \"\(value.compactString)\"" : nil))
            return nil
        }
        if !allowEmpty, string.trimmingSpaces.isEmpty {
            report(pointer, "\(what) must not be empty")
            return nil
        }
        return string
    }

    mutating func integer(_ value: JSONValue?, at pointer: JSONPointer, what: String, minimum: Int64 = 0, maximum: Int64 = .max) -> Int? {
        guard let value else { return nil }
        guard case .integer(let integer) = value else {
            report(pointer, "\(what) must be a whole number, found \(Self.article(value))")
            return nil
        }
        guard integer >= minimum, integer <= maximum else {
            report(pointer, maximum == .max ? "\(what) must be at least \(minimum), found \(integer)"
                                           : "\(what) must be between \(minimum) and \(maximum), found \(integer)")
            return nil
        }
        return Int(integer)
    }

    mutating func number(_ value: JSONValue?, at pointer: JSONPointer, what: String, minimum: Double, maximum: Double? = nil,
                         exclusiveMinimum: Bool = false) -> Double? {
        guard let value else { return nil }
        guard let number = value.doubleValue else {
            report(pointer, "\(what) must be a number, found \(Self.article(value))")
            return nil
        }
        let tooLow = exclusiveMinimum ? number <= minimum : number < minimum
        if tooLow || maximum.map({ number > $0 }) == true {
            let lower = exclusiveMinimum ? "greater than \(minimum.compact)" : "at least \(minimum.compact)"
            report(pointer, "\(what) must be \(lower)\(maximum.map { " and at most \($0.compact)" } ?? ""), found \(number.compact)")
            return nil
        }
        return number
    }

    /// A list of non-empty strings; a plain string is reported with `stringHint`.
    mutating func stringList(_ value: JSONValue?, at pointer: JSONPointer, what: String, stringHint: String? = nil) -> [String]? {
        guard let value else { return nil }
        guard case .array(let elements) = value else {
            report(pointer, "\(what) must be a list, found \(Self.article(value))", hint: stringHint)
            return nil
        }
        var strings: [String] = []
        for (index, element) in elements.enumerated() {
            if let string = string(element, at: pointer.appending(index: index), what: "each entry of \(what)") {
                strings.append(string)
            }
        }
        return strings.count == elements.count ? strings : nil
    }

    /// A mapping of names to text values (headers, environment), in order.
    mutating func stringPairs(_ value: JSONValue?, at pointer: JSONPointer, what: String) -> [HTTPHeader] {
        guard let value else { return [] }
        guard case .object(let object) = value else {
            report(pointer, "\(what) must be a mapping of names to text, found \(Self.article(value))")
            return []
        }
        var pairs: [HTTPHeader] = []
        for (name, member) in object {
            let memberPointer = pointer.appending(name)
            let text: String?
            switch member {
            case .integer, .number, .bool: text = member.compactString
            default: text = string(member, at: memberPointer, what: "the value of `\(name)`", allowEmpty: true)
            }
            guard let text else { continue }
            checkEnvironmentReferences(text, at: memberPointer)
            pairs.append(HTTPHeader(name: name, value: text))
        }
        return pairs
    }

    /// `${NAME}` references must be well formed.
    mutating func checkEnvironmentReferences(_ text: String, at pointer: JSONPointer) {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index + 1 < scalars.count {
            if scalars[index] == "$", scalars[index + 1] == "{" {
                var end = index + 2
                while end < scalars.count, scalars[end] != "}" { end += 1 }
                let name = end < scalars.count ? String(String.UnicodeScalarView(scalars[(index + 2)..<end])) : nil
                if let name, Self.isEnvironmentName(name) {
                    index = end + 1
                    continue
                }
                report(pointer, offset: index, "`${` must be followed by an environment variable name and `}`, as in `${API_TOKEN}`")
                return
            }
            index += 1
        }
    }

    static func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || ("A"..."Z").contains(first) || ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }
}

extension Double {
    /// `2` rather than `2.0` for whole numbers, for messages.
    var compact: String {
        rounded() == self && abs(self) < 1e15 ? String(Int64(self)) : String(self)
    }
}
