/// A compiled JSON Schema document: the root schema plus everything `$ref` can reach.
///
/// Compiling checks every keyword against Arbor's supported subset (draft 2020-12, plus the
/// draft-7 spellings Pydantic and others emit) and reports all problems at once. A compiled
/// document validates instances and is what the grammar compiler walks: start at ``root``,
/// and when a node has a ``SchemaNode/reference``, continue at
/// ``schema(at:)`` of its target.
///
/// ```swift
/// let document = try SchemaDocument(compiling: try JSONValue(parsing: """
///     {"type": "object", "properties": {"url": {"type": "string", "format": "uri"}},
///      "required": ["url"]}
///     """))
/// document.validate(["url": 42]).map(\.description)
/// // ["/url: expected string, got integer"]
/// ```
public struct SchemaDocument: Sendable {
    /// The schema JSON as given.
    public let source: JSONValue
    /// The compiled root schema.
    public let root: JSONSchema
    /// The root, every `$defs`/`definitions` entry and every `$ref` target, by location.
    public let schemas: [JSONPointer: JSONSchema]
    /// The locations of the `$defs`/`definitions` entries, in document order.
    public let definitionLocations: [JSONPointer]

    /// Compiles `source`, collecting every problem before throwing.
    public init(compiling source: JSONValue) throws(SchemaCompileError) {
        var compiler = SchemaCompiler(document: source)
        let result = try compiler.run()
        self.source = source
        root = result.root
        schemas = result.targets
        definitionLocations = result.definitions
    }

    /// Parses `text` as JSON and compiles it.
    ///
    /// Throws a ``JSONParseError`` for text that is not JSON, else a ``SchemaCompileError``.
    public init(jsonText text: String) throws {
        try self.init(compiling: try JSONValue(parsing: text))
    }

    /// The compiled schema at `location` when it is the root, a definition or a `$ref` target.
    public func schema(at location: JSONPointer) -> JSONSchema? {
        schemas[location]
    }

    /// The schema a reference points to; compilation guarantees it exists.
    public func resolve(_ reference: SchemaReference) -> JSONSchema {
        guard let schema = schemas[reference.target] else {
            preconditionFailure("compiled documents resolve every $ref; missing \(reference.source)")
        }
        return schema
    }

    /// Every violation of the schema by `instance`; empty when the instance is valid.
    public func validate(_ instance: JSONValue) -> [ValidationError] {
        Validator(document: self).validate(instance, against: root, at: .root)
    }

    /// Whether `instance` satisfies the schema.
    public func isValid(_ instance: JSONValue) -> Bool {
        validate(instance).isEmpty
    }
}

extension SchemaDocument: Equatable, Hashable {
    /// Two documents are equal when their sources are the same JSON text, key order and number
    /// kinds included (key order decides property order in a grammar), since compilation is a
    /// function of the source.
    public static func == (lhs: SchemaDocument, rhs: SchemaDocument) -> Bool {
        lhs.source.compactString == rhs.source.compactString
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(source.compactString) }
}
