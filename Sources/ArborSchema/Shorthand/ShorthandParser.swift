/// Parses shorthand type expressions (`int[0,10]`, `list[Source]`, `Literal["a","b"]`).
///
/// Grammar (spaces allowed between tokens):
/// ```
/// type    := name | name "[" args "]"
/// int     := "int" | "int[" bound? "," bound? "]"        (same for "float")
/// list    := "list[" type "]"        dict := "dict[" "str" "," type "]"
/// opt     := "Optional[" type "]"    lit  := "Literal[" literal ("," literal)* "]"
/// literal := "quoted string" | 'quoted string' | integer | true | false
/// ```
extension ShorthandType {
    /// Parses `text`; a named type (`Source`) is accepted as written and resolved later.
    public init(parsing text: String) throws(ShorthandError) {
        var parser = ShorthandParser(text)
        self = try parser.parseWhole()
    }
}

struct ShorthandParser {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    mutating func parseWhole() throws(ShorthandError) -> ShorthandType {
        skipSpaces()
        if index == scalars.count { throw failure("the type is empty; write one such as `str`, `int` or `list[str]`") }
        let type = try parseType()
        skipSpaces()
        if index < scalars.count { throw failure("unexpected `\(Character(scalars[index]))` after the type") }
        return type
    }

    private mutating func parseType() throws(ShorthandError) -> ShorthandType {
        skipSpaces()
        let start = index
        let name = identifier()
        guard !name.isEmpty else {
            if index < scalars.count {
                throw failure("expected a type name, found `\(Character(scalars[index]))`")
            }
            throw failure("expected a type name, found the end of the type")
        }
        skipSpaces()
        let hasArguments = peek("[")
        switch name {
        case "int", "float":
            var minimum: JSONValue?, maximum: JSONValue?
            if hasArguments {
                index += 1
                minimum = try parseBound(integerOnly: name == "int")
                try expect(",", context: "between the bounds of `\(name)[min,max]`")
                maximum = try parseBound(integerOnly: name == "int")
                try expect("]", context: "to close `\(name)[`")
                if let low = minimum?.doubleValue, let high = maximum?.doubleValue, low > high {
                    throw ShorthandError(offset: start, message: "the lower bound \(low) of `\(name)` is above its upper bound \(high)")
                }
            }
            return name == "int" ? .integer(minimum: minimum, maximum: maximum) : .number(minimum: minimum, maximum: maximum)
        case "list", "List", "Optional", "optional":
            guard hasArguments else {
                throw ShorthandError(offset: start, message: "`\(name)` needs an element type", hint: "write `\(name)[str]`")
            }
            index += 1
            let element = try parseType()
            try expect("]", context: "to close `\(name)[`")
            return name.lowercased() == "list" ? .list(element) : .optional(element)
        case "dict", "Dict":
            guard hasArguments else {
                throw ShorthandError(offset: start, message: "`dict` needs a key and a value type", hint: "write `dict[str, int]`")
            }
            index += 1
            skipSpaces()
            let keyStart = index
            let key = try parseType()
            guard key == .string else {
                throw ShorthandError(offset: keyStart, message: "JSON object keys are strings, so a dict's key type must be `str`")
            }
            try expect(",", context: "between the key and value types of `dict[str, T]`")
            let value = try parseType()
            try expect("]", context: "to close `dict[`")
            return .dictionary(value)
        case "Literal", "literal":
            guard hasArguments else {
                throw ShorthandError(offset: start, message: "`Literal` needs at least one value", hint: "write `Literal[\"a\", \"b\"]`")
            }
            index += 1
            var values: [JSONValue] = [try parseLiteral()]
            skipSpaces()
            while peek(",") {
                index += 1
                values.append(try parseLiteral())
                skipSpaces()
            }
            try expect("]", context: "to close `Literal[`")
            return .literal(values)
        default:
            if let scalar = ShorthandType.scalarNames[name] {
                if hasArguments {
                    throw failure("`\(name)` takes no arguments")
                }
                return scalar
            }
            if hasArguments {
                throw ShorthandError(offset: start, message: "unknown generic type `\(name)`",
                                     hint: SpellingHint.didYouMean(name, in: ["list", "dict", "Optional", "Literal", "int", "float"]))
            }
            if let first = name.unicodeScalars.first, first.properties.isLowercase,
               let suggestion = SpellingHint.closest(to: name, in: ShorthandType.builtinNames) {
                throw ShorthandError(offset: start, message: "unknown type `\(name)`", hint: "did you mean `\(suggestion)`?")
            }
            if name == "string" || name == "integer" || name == "number" || name == "boolean" || name == "object" {
                throw ShorthandError(offset: start, message: "unknown type `\(name)`",
                                     hint: "the shorthand uses Python names: str, int, float, bool, dict[str, T]")
            }
            return .named(name)
        }
    }

    private mutating func parseBound(integerOnly: Bool) throws(ShorthandError) -> JSONValue? {
        skipSpaces()
        let start = index
        while index < scalars.count, "+-0123456789.eE".unicodeScalars.contains(scalars[index]) { index += 1 }
        let text = String(String.UnicodeScalarView(scalars[start..<index]))
        if text.isEmpty { return nil }
        if let integer = Int64(text) { return .integer(integer) }
        if !integerOnly, let double = Double(text), double.isFinite { return .number(double) }
        throw ShorthandError(offset: start, message: integerOnly
            ? "the bound `\(text)` is not an integer" : "the bound `\(text)` is not a number")
    }

    private mutating func parseLiteral() throws(ShorthandError) -> JSONValue {
        skipSpaces()
        let start = index
        guard index < scalars.count else { throw failure("expected a literal value, found the end of the type") }
        let quote = scalars[index]
        if quote == "\"" || quote == "'" {
            index += 1
            var text = String.UnicodeScalarView()
            while index < scalars.count, scalars[index] != quote {
                if scalars[index] == "\\", index + 1 < scalars.count {
                    index += 1
                    text.append(contentsOf: escaped())
                    continue
                }
                text.append(scalars[index])
                index += 1
            }
            guard index < scalars.count else {
                throw ShorthandError(offset: start, message: "the string literal is not closed", hint: "add a closing \(Character(quote))")
            }
            index += 1
            return .string(String(text))
        }
        let word = identifierOrNumber()
        switch word {
        case "true", "True": return .bool(true)
        case "false", "False": return .bool(false)
        case "": throw failure("expected a literal value (a quoted string, an integer, true or false)")
        default:
            if let integer = Int64(word) { return .integer(integer) }
            throw ShorthandError(offset: start, message: "`\(word)` is not a literal value",
                                 hint: "quote strings: Literal[\"\(word)\"]")
        }
    }

    /// The text of the escape after a backslash, as Python reads it in a string literal:
    /// `\n`, `\t`, `\r`, `\0`, `\\`, quotes, `\xHH`, `\uHHHH`, `\UHHHHHHHH`; an unknown
    /// escape keeps its backslash (`\d` stays `\d`), as in Python.
    private mutating func escaped() -> String.UnicodeScalarView {
        let letter = scalars[index]
        index += 1
        let simple: [Unicode.Scalar: Unicode.Scalar] = ["n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", "'": "'", "\"": "\"",
                                                         "a": "\u{07}", "b": "\u{08}", "f": "\u{0C}", "v": "\u{0B}"]
        if let scalar = simple[letter] { return String.UnicodeScalarView([scalar]) }
        let widths: [Unicode.Scalar: Int] = ["x": 2, "u": 4, "U": 8]
        let digits = widths[letter]
        if let digits, index + digits <= scalars.count,
           let value = UInt32(String(String.UnicodeScalarView(scalars[index..<index + digits])), radix: 16),
           let scalar = Unicode.Scalar(value) {
            index += digits
            return String.UnicodeScalarView([scalar])
        }
        return String.UnicodeScalarView(["\\", letter])
    }

    // MARK: Lexing

    private func peek(_ character: Unicode.Scalar) -> Bool {
        index < scalars.count && scalars[index] == character
    }

    private mutating func expect(_ character: Unicode.Scalar, context: String) throws(ShorthandError) {
        skipSpaces()
        guard peek(character) else {
            let found = index < scalars.count ? "`\(Character(scalars[index]))`" : "the end of the type"
            throw failure("expected `\(Character(character))` \(context), found \(found)")
        }
        index += 1
    }

    private mutating func skipSpaces() {
        while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
    }

    private mutating func identifier() -> String {
        let start = index
        while index < scalars.count,
              scalars[index] == "_" || scalars[index].properties.isAlphabetic
                || (index > start && ("0"..."9").contains(scalars[index])) {
            index += 1
        }
        return String(String.UnicodeScalarView(scalars[start..<index]))
    }

    private mutating func identifierOrNumber() -> String {
        let start = index
        while index < scalars.count,
              scalars[index] == "_" || scalars[index] == "-" || scalars[index].properties.isAlphabetic
                || ("0"..."9").contains(scalars[index]) {
            index += 1
        }
        return String(String.UnicodeScalarView(scalars[start..<index]))
    }

    private func failure(_ message: String) -> ShorthandError {
        ShorthandError(offset: index, message: message)
    }
}
