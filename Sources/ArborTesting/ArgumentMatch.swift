import ArborSchema

/// How a fixture or a tool-call assertion compares the arguments the model wrote with the
/// ones in the test.
///
/// - `exact`: JSON equality (key order does not matter; `1 == 1.0`).
/// - `subset`: every member written in the test is present with an equal value, recursively
///   in objects; arrays must be equal element by element; extra members are allowed.
/// - `pattern`: like `subset`, but every string in the test is a regular expression that the
///   whole actual string must match (the JSON Schema `pattern` dialect).
///
/// ```swift
/// ArgumentMatch.subset(["query": "everest"]).matches(["query": "everest", "count": 5])   // true
/// ArgumentMatch.pattern(["expression": "80 ?\\* ?2\\.5"]).matches(["expression": "80*2.5"])   // true
/// ```
public enum ArgumentMatch: Sendable, Equatable {
    case any
    case exact(JSONValue)
    case subset(JSONValue)
    case pattern(JSONValue)

    /// The mode's name as written in YAML.
    public var modeName: String {
        switch self {
        case .any: return "any"
        case .exact: return "exact"
        case .subset: return "subset"
        case .pattern: return "pattern"
        }
    }

    /// The arguments written in the test; nil for ``any``.
    public var expected: JSONValue? {
        switch self {
        case .any: return nil
        case .exact(let value), .subset(let value), .pattern(let value): return value
        }
    }

    public func matches(_ actual: JSONValue) -> Bool {
        switch self {
        case .any: return true
        case .exact(let expected): return expected == actual
        case .subset(let expected): return Self.contains(actual, expected, patterns: false)
        case .pattern(let expected): return Self.contains(actual, expected, patterns: true)
        }
    }

    private static func contains(_ actual: JSONValue, _ expected: JSONValue, patterns: Bool) -> Bool {
        switch (expected, actual) {
        case let (.object(wanted), .object(present)):
            return wanted.allSatisfy { key, value in present[key].map { contains($0, value, patterns: patterns) } ?? false }
        case let (.array(wanted), .array(present)):
            return wanted.count == present.count && zip(present, wanted).allSatisfy { contains($0, $1, patterns: patterns) }
        case let (.string(pattern), .string(text)) where patterns:
            return (try? RegexPattern(pattern))?.matchesWholeString(text) ?? false
        default:
            return expected == actual
        }
    }

    /// The regular expressions of a `pattern` match that do not compile, with where they are.
    func invalidPatterns() -> [(pointer: JSONPointer, message: String)] {
        guard case .pattern(let expected) = self else { return [] }
        var found: [(JSONPointer, String)] = []
        func walk(_ value: JSONValue, _ pointer: JSONPointer) {
            switch value {
            case .string(let pattern):
                do { _ = try RegexPattern(pattern) } catch { found.append((pointer, String(describing: error))) }
            case .array(let elements):
                for (index, element) in elements.enumerated() { walk(element, pointer.appending(index: index)) }
            case .object(let object):
                for (key, member) in object { walk(member, pointer.appending(key)) }
            default: break
            }
        }
        walk(expected, .root)
        return found
    }
}
