/// Names as Pydantic spells them: field titles, model class names, identifiers, key order.
extension ShorthandCompiler {
    /// Pydantic's default field title: Python's `str.title()`, then `_` → space, trimmed.
    ///
    /// ```swift
    /// ShorthandCompiler.pythonTitle("line_items")  // "Line Items"
    /// ShorthandCompiler.pythonTitle("url2x")       // "Url2X"
    /// ```
    public static func pythonTitle(_ name: String) -> String {
        var result = ""
        var previousCased = false
        for character in name {
            let isCased = character.isUppercase || character.isLowercase
            if isCased {
                result += previousCased ? character.lowercased() : character.uppercased()
            } else {
                result.append(character == "_" ? " " : character)
            }
            previousCased = isCased
        }
        let trimmed = result.drop(while: { $0 == " " })
        return String(trimmed.prefix(trimmed.count - trimmed.reversed().prefix(while: { $0 == " " }).count))
    }

    /// `line_items` → `LineItems`, the class name Arbor gives a nested object field's model.
    public static func pascalCase(_ name: String) -> String {
        name.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { word in
            word.prefix(1).uppercased() + word.dropFirst()
        }.joined()
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }

    /// Keys in sorted order, as Pydantic emits them.
    static func sorted(_ object: JSONObject) -> JSONValue {
        .object(JSONObject(object.entries.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
    }
}
