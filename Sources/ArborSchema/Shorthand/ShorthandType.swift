/// A parsed type expression of Arbor's YAML shorthand, such as `list[Optional[int[0,10]]]`.
///
/// The shorthand borrows Python's typing spelling so that a workflow author who knows
/// Pydantic can read it at a glance; ``ShorthandCompiler`` turns it into the JSON Schema that
/// Pydantic v2's `model_json_schema()` gives for the same annotation.
///
/// ```swift
/// try ShorthandType(parsing: "list[Optional[str]]")  // .list(.optional(.string))
/// ```
public indirect enum ShorthandType: Sendable, Hashable {
    /// `str`
    case string
    /// `int`, `int[0,10]`, `int[1,]`: bounds are inclusive, either may be left out.
    case integer(minimum: JSONValue?, maximum: JSONValue?)
    /// `float`, `float[0,1]`
    case number(minimum: JSONValue?, maximum: JSONValue?)
    /// `bool`
    case boolean
    /// `any`: any JSON value.
    case any
    /// `date`, `datetime`, `time`, `uuid`: a string with that JSON Schema `format`.
    case formatted(StringFormat)
    /// `list[T]`
    case list(ShorthandType)
    /// `dict[str, T]`: an object with arbitrary keys and values of `T`.
    case dictionary(ShorthandType)
    /// `Optional[T]`: `T` or null.
    case optional(ShorthandType)
    /// `Literal["a", "b"]`, `Literal[1]`, `Literal[true]`
    case literal([JSONValue])
    /// A type declared in the workflow's `types:` section.
    case named(String)

    /// The names of the scalar types, for error hints.
    static let scalarNames: [String: ShorthandType] = [
        "str": .string, "int": .integer(minimum: nil, maximum: nil), "float": .number(minimum: nil, maximum: nil),
        "bool": .boolean, "any": .any, "date": .formatted(.date), "datetime": .formatted(.dateTime),
        "time": .formatted(.time), "uuid": .formatted(.uuid),
    ]

    /// Every built-in name, for "did you mean" hints.
    static let builtinNames: [String] = ["str", "int", "float", "bool", "any", "date", "datetime", "time", "uuid",
                                         "list", "dict", "Optional", "Literal"]

    /// The named types this expression mentions, in order of appearance.
    public var referencedNames: [String] {
        switch self {
        case .named(let name): return [name]
        case .list(let element), .dictionary(let element), .optional(let element): return element.referencedNames
        default: return []
        }
    }
}
