import ArborSchema

/// Merges two schema objects into one that means "both" (`allOf`), where that is simple.
///
/// Simple means: each keyword is set on at most one side or on both with the same value,
/// except for those with an obvious intersection — `type` (intersected, `integer` within
/// `number`), `required` (union), `properties` (union; a name on both sides needs equal
/// schemas), bounds (the tighter one), `enum` (intersection), `uniqueItems` (or). Anything
/// else returns a reason, and the grammar compiler reports it as unsupported.
enum SchemaMerge {
    static func merge(_ base: SchemaNode, _ other: SchemaNode) -> Result<SchemaNode, MergeFailure> {
        var merged = base
        var conflicts: [String] = []

        func single<T: Equatable>(_ keyPath: WritableKeyPath<SchemaNode, T?>, _ keyword: String) {
            guard let value = other[keyPath: keyPath] else { return }
            if let existing = merged[keyPath: keyPath], existing != value {
                conflicts.append(keyword)
            } else {
                merged[keyPath: keyPath] = value
            }
        }
        func lower(_ keyPath: WritableKeyPath<SchemaNode, Int?>) {
            if let value = other[keyPath: keyPath] { merged[keyPath: keyPath] = max(merged[keyPath: keyPath] ?? value, value) }
        }
        func upper(_ keyPath: WritableKeyPath<SchemaNode, Int?>) {
            if let value = other[keyPath: keyPath] { merged[keyPath: keyPath] = min(merged[keyPath: keyPath] ?? value, value) }
        }
        func lowerNumber(_ keyPath: WritableKeyPath<SchemaNode, JSONNumber?>) {
            if let value = other[keyPath: keyPath] { merged[keyPath: keyPath] = max(merged[keyPath: keyPath] ?? value, value) }
        }
        func upperNumber(_ keyPath: WritableKeyPath<SchemaNode, JSONNumber?>) {
            if let value = other[keyPath: keyPath] { merged[keyPath: keyPath] = min(merged[keyPath: keyPath] ?? value, value) }
        }

        single(\.reference, "$ref")
        if let types = other.types {
            merged.types = merged.types.map { intersect($0, types) } ?? types
        }
        if let values = other.enumValues {
            merged.enumValues = merged.enumValues.map { mine in mine.filter(values.contains) } ?? values
        }
        single(\.constValue, "const")
        single(\.allOf, "allOf")
        single(\.anyOf, "anyOf")
        single(\.oneOf, "oneOf")
        for property in other.properties {
            if let existing = merged.property(property.name) {
                if existing != property.schema, !sameExceptLocation(existing, property.schema) { conflicts.append("properties/\(property.name)") }
            } else {
                merged.properties.append(property)
            }
        }
        for name in other.required where !merged.required.contains(name) { merged.required.append(name) }
        single(\.additionalProperties, "additionalProperties")
        lower(\.minProperties)
        upper(\.maxProperties)
        single(\.prefixItems, "prefixItems")
        single(\.items, "items")
        lower(\.minItems)
        upper(\.maxItems)
        merged.uniqueItems = merged.uniqueItems || other.uniqueItems
        lower(\.minLength)
        upper(\.maxLength)
        single(\.pattern, "pattern")
        single(\.format, "format")
        lowerNumber(\.minimum)
        upperNumber(\.maximum)
        lowerNumber(\.exclusiveMinimum)
        upperNumber(\.exclusiveMaximum)
        single(\.multipleOf, "multipleOf")

        if !conflicts.isEmpty { return .failure(MergeFailure(keywords: conflicts)) }
        return .success(merged)
    }

    /// Keywords that could not be merged.
    struct MergeFailure: Error {
        var keywords: [String]
    }

    /// `type` lists intersected; `integer` survives against `number`.
    static func intersect(_ a: [SchemaType], _ b: [SchemaType]) -> [SchemaType] {
        var result: [SchemaType] = []
        for type in a {
            if b.contains(type) {
                result.append(type)
            } else if type == .integer, b.contains(.number) {
                result.append(.integer)
            } else if type == .number, b.contains(.integer) {
                result.append(.integer)
            }
        }
        return result
    }

    private static func sameExceptLocation(_ a: JSONSchema, _ b: JSONSchema) -> Bool {
        switch (a, b) {
        case let (.boolean(x, _), .boolean(y, _)): return x == y
        case (.node(var x), .node(let y)):
            x.location = y.location
            return x == y
        default: return false
        }
    }
}

extension SchemaNode {
    /// Whether the node constrains nothing (only annotations and its location).
    var isUnconstrained: Bool {
        var bare = self
        bare.annotations = SchemaAnnotations()
        return bare == SchemaNode(location: location)
    }
}
