import ArborSchema

/// Decides, conservatively, whether no JSON value can match two `oneOf` branches at once —
/// then the grammar's choice already yields "exactly one" and no post-check is needed.
///
/// Two branches are exclusive when their possible types differ (integers counting as
/// numbers), when both list their values (`const`/`enum`) and share none, or when both are
/// objects requiring one property whose listed values differ (a discriminator such as
/// `"kind": {"const": "a"}`). Anything else — `allOf` inside a branch, nested unions,
/// overlapping ranges — counts as overlapping, and the branches stay a post-check.
///
/// ```swift
/// // {"oneOf":[{"type":"string"},{"type":"integer"}]}                       → exclusive
/// // {"oneOf":[{"properties":{"kind":{"const":"a"}},"required":["kind"]}, … "b" …]} → exclusive
/// ```
struct OneOfExclusivity {
    let document: SchemaDocument

    /// Whether no two of `branches` can match the same value.
    func branchesAreExclusive(_ branches: [JSONSchema]) -> Bool {
        let resolved = branches.map(resolve)
        for first in resolved.indices {
            for second in resolved.indices where second > first {
                guard let a = resolved[first], let b = resolved[second], exclusive(a, b) else { return false }
            }
        }
        return true
    }

    /// The branch's node with `$ref` chains followed; nil for `true` or what cannot be judged.
    private func resolve(_ schema: JSONSchema) -> SchemaNode? {
        var current = schema
        for _ in 0..<16 {
            guard case .node(let node) = current else { return nil }
            guard let reference = node.reference else {
                return node.allOf == nil && node.anyOf == nil && node.oneOf == nil ? node : nil
            }
            var rest = node
            rest.reference = nil
            guard rest.isUnconstrained else { return nil }
            current = document.resolve(reference)
        }
        return nil
    }

    private func exclusive(_ a: SchemaNode, _ b: SchemaNode) -> Bool {
        if typeClasses(a).isDisjoint(with: typeClasses(b)) { return true }
        if let left = listedValues(a), let right = listedValues(b), left.isDisjoint(with: right) { return true }
        return hasDiscriminator(a, b)
    }

    /// The JSON types a node admits, with integer folded into number.
    private func typeClasses(_ node: SchemaNode) -> Set<String> {
        if let values = listedValueList(node) {
            return Set(values.map { $0.typeName == "integer" ? "number" : $0.typeName })
        }
        let types = node.types ?? SchemaType.allCases
        return Set(types.map { $0 == .integer ? "number" : $0.rawValue })
    }

    private func listedValueList(_ node: SchemaNode) -> [JSONValue]? {
        if let constant = node.constValue { return [constant] }
        return node.enumValues
    }

    /// The compact texts of a node's `const`/`enum` values, if it lists them.
    private func listedValues(_ node: SchemaNode) -> Set<String>? {
        listedValueList(node).map { Set($0.map(\.compactString)) }
    }

    /// Both require a property whose listed values do not meet.
    private func hasDiscriminator(_ a: SchemaNode, _ b: SchemaNode) -> Bool {
        // Only objects: `required` says nothing about other types, which would match both.
        guard typeClasses(a) == ["object"], typeClasses(b) == ["object"] else { return false }
        for name in a.required where b.required.contains(name) {
            guard let left = a.properties.first(where: { $0.name == name }).flatMap({ resolve($0.schema) }).flatMap(listedValues),
                  let right = b.properties.first(where: { $0.name == name }).flatMap({ resolve($0.schema) }).flatMap(listedValues)
            else { continue }
            if left.isDisjoint(with: right) { return true }
        }
        return false
    }
}
