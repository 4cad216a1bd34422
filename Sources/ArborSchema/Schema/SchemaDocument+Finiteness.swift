/// Whether a schema admits any finite value at all.
///
/// `Node: {child: Node}` (a required `child` of the same type, with no other way out) has
/// no finite instance: every value must hold another. Such a schema compiles, and a grammar
/// built from it can never finish, so the mistake would surface only at run time; this
/// finds it while the workflow is checked.
extension SchemaDocument {
    /// True when some finite JSON value could satisfy the root's structure. A least fixpoint
    /// over the `$ref` targets: a target is finite once its schema is, given the targets
    /// found so far; everything else is read structurally. Value constraints (`pattern`,
    /// bounds) are not solved: only the shape of objects and arrays decides.
    public var hasFiniteInstance: Bool {
        var finite: Set<JSONPointer> = []
        var changed = true
        while changed {
            changed = false
            for (location, schema) in schemas where !finite.contains(location) && Self.isFinite(schema, given: finite, in: self) {
                finite.insert(location)
                changed = true
            }
        }
        return Self.isFinite(root, given: finite, in: self)
    }

    private static func isFinite(_ schema: JSONSchema, given finite: Set<JSONPointer>, in document: SchemaDocument) -> Bool {
        guard case .node(let node) = schema else {
            if case .boolean(let accepts, _) = schema { return accepts }
            return true
        }
        func check(_ subschema: JSONSchema) -> Bool { isFinite(subschema, given: finite, in: document) }
        if let reference = node.reference, !finite.contains(document.resolve(reference).location) { return false }
        if let allOf = node.allOf, !allOf.allSatisfy(check) { return false }
        if let anyOf = node.anyOf, !anyOf.contains(where: check) { return false }
        if let oneOf = node.oneOf, !oneOf.contains(where: check) { return false }
        // Listed values are finite JSON already.
        if node.enumValues != nil || node.constValue != nil { return true }
        guard let types = node.types else { return true }   // `null` satisfies object and array keywords
        return types.contains { type in
            switch type {
            case .null, .boolean, .integer, .number, .string: return true
            case .array:
                let count = node.minItems ?? 0
                let prefix = node.prefixItems ?? []
                for index in 0..<min(count, prefix.count) where !check(prefix[index]) { return false }
                return count <= prefix.count || node.items.map(check) ?? true
            case .object:
                return node.required.allSatisfy { name in
                    if let property = node.property(name) { return check(property) }
                    return node.additionalProperties.map(check) ?? true
                }
            }
        }
    }
}
