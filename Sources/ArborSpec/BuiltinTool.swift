import ArborSchema

/// The tools Arbor carries out itself, offline and without side effects.
///
/// Each has a fixed parameter schema, so a workflow names one with `builtin: calculator`
/// and writes no `parameters`.
public enum BuiltinTool: String, Codable, Sendable, CaseIterable {
    /// Evaluates an arithmetic expression: `+ - * / % ^`, parentheses, `sqrt`, `abs`, `ln`,
    /// `log10`, `exp`, `sin`, `cos`, `tan`, `floor`, `ceil`, `round`, `pi`, `e`.
    case calculator
    /// The current date and time in a time zone (IANA name, default UTC), RFC 3339.
    case datetime
    /// The number of whole days between two dates (`YYYY-MM-DD`).
    case dateDiff = "date_diff"
    /// Converts a value between units of length, mass, time, temperature or data size.
    case unitConvert = "unit_convert"
    /// Counts characters, words and lines of a text.
    case textStats = "text_stats"
    /// Evaluates a JSON pointer against a JSON document given as text.
    case jsonQuery = "json_query"

    /// What the model is told the tool does.
    public var summary: String {
        switch self {
        case .calculator: return "Evaluate an arithmetic expression exactly and return the number."
        case .datetime: return "Return the current date and time in a time zone."
        case .dateDiff: return "Return the number of days from one date to another."
        case .unitConvert: return "Convert a quantity from one unit to another."
        case .textStats: return "Count the characters, words and lines of a text."
        case .jsonQuery: return "Return the part of a JSON document a JSON pointer selects."
        }
    }

    /// The parameter schema, in the same Pydantic form the shorthand produces.
    public var parametersSchema: JSONValue {
        let title = ShorthandCompiler.pascalCase(rawValue) + "Parameters"
        var compiler = ShorthandCompiler()
        let fields: JSONObject
        switch self {
        case .calculator:
            // Arithmetic characters only: a small model cannot wander into prose here.
            fields = ["expression": ["type": "str", "pattern": "^[-+*/%^()., 0-9a-z]+$",
                                     "description": "An arithmetic expression such as (2 + 3) * sqrt(16)"]]
        case .datetime:
            fields = ["timezone": ["type": "str", "default": "UTC", "description": "An IANA time zone such as Europe/Paris"]]
        case .dateDiff:
            fields = ["start": ["type": "date", "description": "The first date"], "end": ["type": "date", "description": "The second date"]]
        case .unitConvert:
            fields = ["value": "float", "from_unit": ["type": "str", "description": "e.g. km, lb, h, degC, MiB"],
                      "to_unit": ["type": "str", "description": "A unit of the same kind"]]
        case .textStats:
            fields = ["text": "str"]
        case .jsonQuery:
            fields = ["document": ["type": "str", "description": "A JSON text"],
                      "pointer": ["type": "str", "description": "An RFC 6901 JSON pointer such as /items/0/name"]]
        }
        return compiler.compileModel(fields, title: title, at: .root)
    }
}
