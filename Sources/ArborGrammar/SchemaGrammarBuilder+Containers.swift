import ArborSchema

/// Arrays and objects, written compactly or with bounded whitespace.
extension SchemaGrammarBuilder {
    // MARK: Arrays

    mutating func arrayExpression(_ node: SchemaNode) -> GrammarExpression {
        if node.uniqueItems { postChecks.append(PostCheck(pointer: node.location, keyword: "uniqueItems")) }
        let minimum = node.minItems ?? 0
        let maximum = node.maxItems
        if let maximum, maximum < minimum {
            errors.append(.unsatisfiable(pointer: node.location, reason: "`maxItems` is below `minItems`"))
            return .empty
        }
        var prefix = node.prefixItems ?? []
        if let maximum, prefix.count > maximum { prefix.removeLast(prefix.count - maximum) }
        // Elements after the prefix: `items`, or any value when neither keyword constrains them.
        var tail: GrammarExpression?
        switch node.items {
        case .boolean(false, _)?: tail = nil
        case let items?: tail = expression(for: items, depth: 0)
        case nil: tail = node.prefixItems == nil ? .rule(jsonValueRule) : nil
        }
        if tail == nil, minimum > prefix.count {
            errors.append(.unsatisfiable(pointer: node.location, reason: "`minItems` asks for more elements than the schema allows"))
            return .empty
        }
        let elements = prefix.map { expression(for: $0, depth: 0) }
        let space = ws
        let comma = GrammarExpression.concatenation([space, .literal(","), space])

        // Built from the end: what may follow element `index` (or the start when index == 0).
        func rest(from index: Int) -> GrammarExpression {
            let separator: GrammarExpression = index == 0 ? .empty : comma
            if index == elements.count {
                guard let tail else { return .empty }
                let tailMinimum = max(0, minimum - elements.count)
                let tailMaximum = maximum.map { $0 - elements.count }
                if tailMaximum == 0 { return .empty }
                let more = GrammarExpression.repetition(.concatenation([comma, tail]), min: max(0, tailMinimum - 1), max: tailMaximum.map { $0 - 1 })
                let run = GrammarExpression.concatenation([separator, tail, more])
                return tailMinimum > 0 ? run : .optional(run)
            }
            let step = GrammarExpression.concatenation([separator, elements[index], rest(from: index + 1)])
            return index < minimum ? step : .optional(step)
        }
        return .concatenation([.literal("["), space, rest(from: 0), space, .literal("]")])
    }

    // MARK: Objects

    mutating func objectExpression(_ node: SchemaNode) -> GrammarExpression {
        var members: [(expression: GrammarExpression, required: Bool)] = []
        let space = ws
        let colon = GrammarExpression.concatenation([space, .literal(":"), space])
        for property in node.properties {
            // An optional property whose schema is `false` must be absent: leave it out.
            if case .boolean(false, _) = property.schema, !node.required.contains(property.name) { continue }
            let value = expression(for: property.schema, depth: 0)
            members.append((.concatenation([literal(.string(property.name)), colon, value]), node.required.contains(property.name)))
        }
        for name in node.required where node.property(name) == nil {
            members.append((.concatenation([literal(.string(name)), colon, .rule(jsonValueRule)]), true))
        }

        var tail: (expression: GrammarExpression, minimum: Int, maximum: Int?)?
        if let additional = node.additionalProperties, !Self.isTrue(additional) {
            if case .boolean(false, _) = additional {
                tail = nil
            } else {
                if !members.isEmpty { postChecks.append(PostCheck(pointer: node.location, keyword: "additionalProperties")) }
                let value = expression(for: additional, depth: 0)
                let base = members.count
                tail = (.concatenation([.rule(jsonStringRule), colon, value]),
                        max(0, (node.minProperties ?? 0) - base), node.maxProperties.map { max(0, $0 - base) })
            }
        }
        let requiredCount = members.filter(\.required).count
        if let minimum = node.minProperties, minimum > requiredCount, tail == nil || !members.isEmpty {
            if minimum > members.count && tail == nil {
                errors.append(.unsatisfiable(pointer: node.location, reason: "`minProperties` asks for more members than the generated objects can have (extra members are generated only when `additionalProperties` is a schema)"))
                return .empty
            }
            postChecks.append(PostCheck(pointer: node.location, keyword: "minProperties"))
        }
        if let maximum = node.maxProperties, maximum < members.count || (tail != nil && !members.isEmpty) {
            if maximum < requiredCount {
                errors.append(.unsatisfiable(pointer: node.location, reason: "`maxProperties` is below the number of required properties"))
                return .empty
            }
            postChecks.append(PostCheck(pointer: node.location, keyword: "maxProperties"))
        }
        let comma = GrammarExpression.concatenation([space, .literal(","), space])

        func tailRun(leading: Bool) -> GrammarExpression {
            guard let tail, tail.maximum != 0 else { return .empty }
            let more = GrammarExpression.repetition(.concatenation([comma, tail.expression]), min: max(0, tail.minimum - 1), max: tail.maximum.map { $0 - 1 })
            let run = GrammarExpression.concatenation([leading ? comma : .empty, tail.expression, more])
            return tail.minimum > 0 ? run : .optional(run)
        }
        /// Members from `index` on, after at least one member has been written: each one is
        /// independently present (required) or optional, each preceded by a comma.
        func afterFirst(_ index: Int) -> GrammarExpression {
            .concatenation(members[index...].map { member in
                let part = GrammarExpression.concatenation([comma, member.expression])
                return member.required ? part : .optional(part)
            } + [tailRun(leading: true)])
        }
        /// Members from `index` on, when none has been written yet.
        func first(_ index: Int) -> GrammarExpression {
            guard index < members.count else { return tailRun(leading: false) }
            let take = GrammarExpression.concatenation([members[index].expression, afterFirst(index + 1)])
            if members[index].required { return take }
            let skip = first(index + 1)
            return skip == .empty ? .optional(take) : .alternatives([take, skip])
        }
        return .concatenation([.literal("{"), space, first(0), space, .literal("}")])
    }

    static func isTrue(_ schema: JSONSchema) -> Bool {
        switch schema {
        case .boolean(let value, _): return value
        case .node(let node): return node.isUnconstrained
        }
    }
}
