/// One problem found while compiling a JSON Schema, with the JSON pointer of where it is.
///
/// Arbor refuses what it cannot enforce: an unsupported keyword or format is an error, never
/// silently ignored, because a grammar built from the schema would otherwise admit values
/// the schema's author meant to exclude.
///
/// ```swift
/// SchemaError.unsupportedKeyword(keyword: "patternProperties", pointer: JSONPointer(tokens: ["properties", "a"]))
///     .description
/// // /properties/a: the keyword `patternProperties` is not supported by Arbor; …
/// ```
public enum SchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A keyword Arbor does not implement, or one that is not JSON Schema at all.
    case unsupportedKeyword(keyword: String, pointer: JSONPointer)
    /// A `format` Arbor cannot check.
    case unsupportedFormat(format: String, pointer: JSONPointer)
    /// A keyword whose value has the wrong type or range; `expected` says what it must be.
    case invalidKeywordValue(keyword: String, pointer: JSONPointer, expected: String)
    /// A schema that is neither an object nor a boolean.
    case invalidSchema(pointer: JSONPointer, found: String)
    /// A `$ref` whose target does not exist in the document.
    case unresolvedReference(reference: String, pointer: JSONPointer)
    /// A `$ref` that is not a local JSON-pointer fragment (remote documents, anchors).
    case unsupportedReference(reference: String, pointer: JSONPointer)
    /// A `pattern` that is invalid or uses regex features Arbor does not support.
    case invalidPattern(pattern: String, pointer: JSONPointer, reason: RegexError)
    /// Schemas that refer to each other through `$ref`/`allOf`/`anyOf`/`oneOf` without ever
    /// looking inside the instance, so checking them would never end.
    case referenceCycle(pointer: JSONPointer)
    /// Keywords that cannot be used together in one schema object.
    case conflictingKeywords(keywords: [String], pointer: JSONPointer, reason: String)

    /// The location of the problem in the schema document.
    public var pointer: JSONPointer {
        switch self {
        case .unsupportedKeyword(_, let pointer), .unsupportedFormat(_, let pointer),
             .invalidKeywordValue(_, let pointer, _), .invalidSchema(let pointer, _),
             .unresolvedReference(_, let pointer), .unsupportedReference(_, let pointer),
             .invalidPattern(_, let pointer, _), .referenceCycle(let pointer),
             .conflictingKeywords(_, let pointer, _):
            return pointer
        }
    }

    /// Keywords that are real JSON Schema but outside Arbor's subset.
    static let knownUnsupported: Set<String> = [
        "not", "if", "then", "else", "patternProperties", "propertyNames", "dependentRequired",
        "dependentSchemas", "dependencies", "contains", "minContains", "maxContains",
        "unevaluatedProperties", "unevaluatedItems", "$anchor", "$dynamicRef", "$dynamicAnchor",
        "$recursiveRef", "$recursiveAnchor", "$vocabulary", "contentEncoding", "contentMediaType",
        "contentSchema", "nullable",
    ]

    public var description: String {
        switch self {
        case let .unsupportedKeyword(keyword, pointer):
            if Self.knownUnsupported.contains(keyword) {
                return "\(pointer.displayString): the keyword `\(keyword)` is not supported by Arbor; rewrite the schema without it (see the supported subset in the ArborSchema documentation)."
            }
            return "\(pointer.displayString): `\(keyword)` is not a JSON Schema keyword Arbor knows; check its spelling or remove it."
        case let .unsupportedFormat(format, pointer):
            return "\(pointer.displayString): the format \"\(format)\" is not supported; use one of \(StringFormat.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")) or a `pattern`."
        case let .invalidKeywordValue(keyword, pointer, expected):
            return "\(pointer.displayString): the value of `\(keyword)` must be \(expected)."
        case let .invalidSchema(pointer, found):
            return "\(pointer.displayString): a schema must be an object or a boolean, found \(found)."
        case let .unresolvedReference(reference, pointer):
            return "\(pointer.displayString): the $ref \"\(reference)\" points to nothing in this document; fix the path or add the definition."
        case let .unsupportedReference(reference, pointer):
            return "\(pointer.displayString): the $ref \"\(reference)\" is not supported; Arbor resolves only local references such as \"#/$defs/Name\"."
        case let .invalidPattern(pattern, pointer, reason):
            return "\(pointer.displayString): the pattern \"\(pattern)\" cannot be used: \(reason)"
        case let .referenceCycle(pointer):
            return "\(pointer.displayString): this schema refers back to itself through $ref/allOf/anyOf/oneOf without describing any part of the value; break the cycle."
        case let .conflictingKeywords(keywords, pointer, reason):
            return "\(pointer.displayString): the keywords \(keywords.map { "`\($0)`" }.joined(separator: " and ")) cannot be combined: \(reason)."
        }
    }
}

/// Every problem found while compiling one schema document, in document order.
///
/// ```swift
/// do { _ = try SchemaDocument(compiling: schemaJSON) } catch {
///     for problem in error.errors { print(problem) }
/// }
/// ```
public struct SchemaCompileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var errors: [SchemaError]

    public init(errors: [SchemaError]) {
        self.errors = errors
    }

    public var description: String {
        let heading = errors.count == 1 ? "The schema has 1 error:" : "The schema has \(errors.count) errors:"
        return ([heading] + errors.map { "  " + $0.description }).joined(separator: "\n")
    }
}
