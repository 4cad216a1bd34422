/// A compiled JSON Schema: a boolean schema or a ``SchemaNode`` of checked keywords.
///
/// Produced by ``SchemaDocument/init(compiling:)``; every subschema knows its location in
/// the schema document, so validation errors and a grammar compiler can point back at it.
/// `$ref` is kept as a reference (``SchemaReference``), not inlined, so recursive schemas are
/// finite values; resolve one with ``SchemaDocument/schema(at:)``.
///
/// ```swift
/// let document = try SchemaDocument(compiling: ["type": "array", "items": ["type": "string"]])
/// if case .node(let node) = document.root {
///     node.types        // [.array]
///     node.items        // .node(SchemaNode(location: /items, types: [.string], …))
/// }
/// ```
public indirect enum JSONSchema: Sendable, Hashable {
    /// `true` accepts every instance; `false` rejects every instance.
    case boolean(Bool, location: JSONPointer)
    case node(SchemaNode)

    /// Where this schema sits in its document.
    public var location: JSONPointer {
        switch self {
        case .boolean(_, let location): return location
        case .node(let node): return node.location
        }
    }
}

/// One schema object: its location and its keywords, parsed and checked.
///
/// The keywords live in a shared, copy-on-write ``SchemaKeywords`` box and are read straight
/// through the node (`node.types`, `node.properties`, …): a node is two words, so walking a
/// deep schema recursively stays cheap on the stack.
///
/// All keywords apply together, as in draft 2020-12 — including the siblings of `$ref`.
/// Draft-7 spellings are normalised on the way in: `definitions` is read like `$defs`,
/// array-form `items` becomes `prefixItems` (with `additionalItems` becoming `items`), and
/// draft-4 boolean `exclusiveMinimum`/`exclusiveMaximum` move the bound into the numeric
/// exclusive keyword.
///
/// ```swift
/// var node = SchemaNode(location: .root)
/// node.types = [.string]
/// node.maxLength = 3
/// node.keywords.maxLength  // 3
/// ```
@dynamicMemberLookup
public struct SchemaNode: Sendable, Hashable {
    /// The JSON pointer of this schema object in its document.
    public var location: JSONPointer
    /// Read `box.keywords.field` directly on hot internal paths (the validator): it projects
    /// one field, where dynamic member lookup goes through key-path machinery.
    private(set) var box: Box

    public init(location: JSONPointer, keywords: SchemaKeywords = SchemaKeywords()) {
        self.location = location
        box = Box(keywords)
    }

    /// All keywords at once.
    public var keywords: SchemaKeywords {
        get { box.keywords }
        set { mutableBox().keywords = newValue }
    }

    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<SchemaKeywords, Value>) -> Value {
        get { box.keywords[keyPath: keyPath] }
        set { mutableBox().keywords[keyPath: keyPath] = newValue }
    }

    /// The schema of property `name`, if `properties` lists it.
    public func property(_ name: String) -> JSONSchema? {
        box.keywords.properties.first { $0.name == name }?.schema
    }

    private mutating func mutableBox() -> Box {
        if !isKnownUniquelyReferenced(&box) { box = Box(box.keywords) }
        return box
    }

    public static func == (lhs: SchemaNode, rhs: SchemaNode) -> Bool {
        lhs.location == rhs.location && (lhs.box === rhs.box || lhs.box.keywords == rhs.box.keywords)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(location)
        hasher.combine(box.keywords)
    }

    /// Copy-on-write storage. `@unchecked Sendable` is sound because a box is only mutated
    /// through `mutableBox()`, which first makes sure no other node shares it.
    final class Box: @unchecked Sendable {
        var keywords: SchemaKeywords
        init(_ keywords: SchemaKeywords) { self.keywords = keywords }
    }
}

/// The keywords of one schema object. A keyword that was absent is `nil` (or empty for
/// `properties` and `required`).
public struct SchemaKeywords: Sendable, Hashable {
    // MARK: Any instance
    /// `$ref`: another schema of the same document that the instance must also satisfy.
    public var reference: SchemaReference?
    /// `type`: the instance must have one of these types; nil means any.
    public var types: [SchemaType]?
    /// `enum`: the instance must equal one of these (JSON equality).
    public var enumValues: [JSONValue]?
    /// `const`: the instance must equal this (`.null` is a real constant, not an absence).
    public var constValue: JSONValue?
    public var allOf: [JSONSchema]?
    public var anyOf: [JSONSchema]?
    public var oneOf: [JSONSchema]?

    // MARK: Objects
    /// `properties`, in the order the schema lists them.
    public var properties: [NamedSchema] = []
    /// `required`, in order, without duplicates.
    public var required: [String] = []
    /// `additionalProperties`: the schema for members not named in ``properties``.
    public var additionalProperties: JSONSchema?
    public var minProperties: Int?
    public var maxProperties: Int?

    // MARK: Arrays
    /// `prefixItems` (or draft-7 array-form `items`): schemas for the first elements, by position.
    public var prefixItems: [JSONSchema]?
    /// `items`: the schema for every element after ``prefixItems``.
    public var items: JSONSchema?
    public var minItems: Int?
    public var maxItems: Int?
    public var uniqueItems = false

    // MARK: Strings
    /// `minLength` and `maxLength` count Unicode scalars (code points), as JSON Schema requires.
    public var minLength: Int?
    public var maxLength: Int?
    /// `pattern`: an ECMA-262 regex that some substring must match.
    public var pattern: RegexPattern?
    /// `format`: asserted, not only annotated (Arbor validates formats).
    public var format: StringFormat?

    // MARK: Numbers
    public var minimum: JSONNumber?
    public var maximum: JSONNumber?
    public var exclusiveMinimum: JSONNumber?
    public var exclusiveMaximum: JSONNumber?
    /// `multipleOf`: strictly positive.
    public var multipleOf: JSONNumber?

    /// Keywords that describe but do not constrain.
    public var annotations = SchemaAnnotations()

    public init() {}
}

/// A property name and its schema, kept in schema order.
public struct NamedSchema: Sendable, Hashable {
    public var name: String
    public var schema: JSONSchema

    public init(name: String, schema: JSONSchema) {
        self.name = name
        self.schema = schema
    }
}

/// A resolved `$ref`: the text as written and the pointer of its target in the document.
public struct SchemaReference: Sendable, Hashable {
    /// The `$ref` string, e.g. `#/$defs/Node`.
    public var source: String
    /// The target's location; ``SchemaDocument/schema(at:)`` returns the compiled target.
    public var target: JSONPointer

    public init(source: String, target: JSONPointer) {
        self.source = source
        self.target = target
    }
}

/// The annotation keywords Arbor reads and keeps.
public struct SchemaAnnotations: Sendable, Hashable {
    public var title: String?
    public var description: String?
    /// `default`; `.some(.null)` is a real default of null.
    public var defaultValue: JSONValue?
    public var examples: [JSONValue]?
    public var deprecated: Bool?
    public var readOnly: Bool?
    public var writeOnly: Bool?
    /// `$comment`.
    public var comment: String?
    /// `$schema` (the dialect URI), only meaningful at the root.
    public var dialect: String?
    /// `$id`, allowed at the root only.
    public var id: String?
    /// The OpenAPI `discriminator` object Pydantic writes next to `oneOf`; informative only,
    /// validation uses the `oneOf` alternatives themselves.
    public var discriminator: JSONValue?

    public init() {}
}

/// A JSON Schema primitive type name.
public enum SchemaType: String, Sendable, Hashable, CaseIterable {
    case null, boolean, integer, number, string, array, object

    /// Whether `value` has this type; `number` includes integers, and `integer` includes
    /// doubles with no fractional part (`1.0`), as draft 2020-12 defines.
    public func admits(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.null, .null), (.boolean, .bool), (.string, .string), (.array, .array), (.object, .object): return true
        case (.number, .integer), (.number, .number), (.integer, .integer): return true
        case (.integer, .number(let d)): return d.isFinite && d.rounded(.towardZero) == d
        default: return false
        }
    }
}
