/// Checks an instance against a compiled schema and collects every violation.
///
/// Every applicable keyword is checked, even after one has failed, so a user sees all that
/// is wrong at once. `anyOf`/`oneOf` failures are summarised: when exactly one alternative
/// has the instance's type (or const/enum, or — for objects — the discriminating const/enum of
/// a member), its own errors are reported, because that is almost always the alternative the
/// author meant; otherwise one error lists what the alternatives expected.
///
/// Use it through ``SchemaDocument/validate(_:)``.
struct Validator {
    let document: SchemaDocument

    // The recursive path (validate → validateNode → checkArray/checkObject/checkCombinators)
    // keeps its frames small: message building lives in non-inlined helpers and keywords are
    // read straight from the node's box (`node.box.keywords.x`, no key-path lookup), so the
    // deepest document the parser accepts validates within a 4 MiB stack even in a debug build.

    func validate(_ instance: JSONValue, against schema: JSONSchema, at path: JSONPointer) -> [ValidationError] {
        switch schema {
        case .boolean(true, _): return []
        case .boolean(false, let location): return [Self.falseSchemaError(instance, location: location, path: path)]
        case .node(let node): return validateNode(instance, node, path)
        }
    }

    private func validateNode(_ instance: JSONValue, _ node: SchemaNode, _ path: JSONPointer) -> [ValidationError] {
        var errors: [ValidationError] = []
        if let reference = node.box.keywords.reference {
            errors += validate(instance, against: document.resolve(reference), at: path)
        }
        Self.checkValue(instance, node, path, &errors)
        switch instance {
        case .array(let elements): checkArray(elements, node, path, &errors)
        case .object(let object): checkObject(object, node, path, &errors)
        default: break
        }
        if node.box.keywords.allOf != nil || node.box.keywords.anyOf != nil || node.box.keywords.oneOf != nil {
            checkCombinators(instance, node, path, &errors)
        }
        return errors
    }

    private static func failure(_ node: SchemaNode, _ keyword: String, _ path: JSONPointer, _ message: String) -> ValidationError {
        ValidationError(instancePath: path, keyword: keyword, keywordLocation: node.location.appending(keyword), message: message)
    }

    @inline(never)
    private static func falseSchemaError(_ instance: JSONValue, location: JSONPointer, path: JSONPointer) -> ValidationError {
        ValidationError(instancePath: path, keyword: "false", keywordLocation: location,
                        message: "no value is allowed here (the schema is `false`), got \(render(instance))")
    }

    // MARK: Keywords that look at the value itself

    /// `type`, `enum`, `const` and the number and string keywords: none of them recurse.
    @inline(never)
    private static func checkValue(_ instance: JSONValue, _ node: SchemaNode, _ path: JSONPointer, _ errors: inout [ValidationError]) {
        func fail(_ keyword: String, _ message: String) { errors.append(failure(node, keyword, path, message)) }
        if let types = node.box.keywords.types, !types.contains(where: { $0.admits(instance) }) {
            fail("type", "expected \(list(types.map(\.rawValue), conjunction: "or")), got \(instance.typeName)")
        }
        if let values = node.box.keywords.enumValues, !values.contains(instance) {
            fail("enum", "expected one of \(list(values.map(render), conjunction: "or", limit: 8)), got \(render(instance))")
        }
        if let constant = node.box.keywords.constValue, constant != instance {
            fail("const", "expected \(render(constant)), got \(render(instance))")
        }
        switch instance {
        case .integer, .number: checkNumber(JSONNumber(instance)!, node, fail)
        case .string(let string): checkString(string, node, fail)
        default: break
        }
    }

    private static func checkNumber(_ number: JSONNumber, _ node: SchemaNode, _ fail: (String, String) -> Void) {
        if let bound = node.box.keywords.minimum, number < bound { fail("minimum", "expected a number >= \(bound), got \(number)") }
        if let bound = node.box.keywords.maximum, number > bound { fail("maximum", "expected a number <= \(bound), got \(number)") }
        if let bound = node.box.keywords.exclusiveMinimum, number <= bound { fail("exclusiveMinimum", "expected a number > \(bound), got \(number)") }
        if let bound = node.box.keywords.exclusiveMaximum, number >= bound { fail("exclusiveMaximum", "expected a number < \(bound), got \(number)") }
        if let divisor = node.box.keywords.multipleOf, !isMultiple(number, of: divisor) {
            fail("multipleOf", "expected a multiple of \(divisor), got \(number)")
        }
    }

    /// Exact for two integers. Otherwise the quotient is computed in doubles and accepted
    /// within a few units in the last place of the nearest integer, so that decimal
    /// multiples such as 0.3 of 0.1 or 19.99 of 0.01 pass despite binary rounding.
    static func isMultiple(_ number: JSONNumber, of divisor: JSONNumber) -> Bool {
        if case .integer(let value) = number, case .integer(let step) = divisor {
            return value % step == 0
        }
        let quotient = number.doubleValue / divisor.doubleValue
        guard quotient.isFinite else { return false }
        let nearest = quotient.rounded()
        return abs(quotient - nearest) <= 8 * max(quotient.ulp, nearest.ulp)
    }

    private static func checkString(_ string: String, _ node: SchemaNode, _ fail: (String, String) -> Void) {
        if node.box.keywords.minLength != nil || node.box.keywords.maxLength != nil {
            let length = string.unicodeScalars.count
            if let minimum = node.box.keywords.minLength, length < minimum {
                fail("minLength", "expected at least \(count(minimum, "character")), got \(length)")
            }
            if let maximum = node.box.keywords.maxLength, length > maximum {
                fail("maxLength", "expected at most \(count(maximum, "character")), got \(length)")
            }
        }
        if let pattern = node.box.keywords.pattern, !pattern.matches(string) {
            fail("pattern", "\(render(.string(string))) does not match the pattern \(pattern.source)")
        }
        if let format = node.box.keywords.format, !format.isValid(string) {
            fail("format", "\(render(.string(string))) is not a valid \(format.rawValue)")
        }
    }

    // MARK: Arrays

    private func checkArray(_ elements: [JSONValue], _ node: SchemaNode, _ path: JSONPointer, _ errors: inout [ValidationError]) {
        let prefix = node.box.keywords.prefixItems ?? []
        for index in elements.indices {
            if index < prefix.count {
                errors += validate(elements[index], against: prefix[index], at: path.appending(index: index))
            } else if let items = node.box.keywords.items {
                if case .boolean(false, _) = items {
                    errors.append(Self.tooManyItems(node, path, allowed: prefix.count, count: elements.count))
                    break
                }
                errors += validate(elements[index], against: items, at: path.appending(index: index))
            }
        }
        if node.box.keywords.minItems != nil || node.box.keywords.maxItems != nil || node.box.keywords.uniqueItems {
            Self.checkArraySize(elements, node, path, &errors)
        }
    }

    @inline(never)
    private static func tooManyItems(_ node: SchemaNode, _ path: JSONPointer, allowed: Int, count total: Int) -> ValidationError {
        failure(node, "items", path, "expected at most \(count(allowed, "item")), got \(total)")
    }

    @inline(never)
    private static func checkArraySize(_ elements: [JSONValue], _ node: SchemaNode, _ path: JSONPointer, _ errors: inout [ValidationError]) {
        if let minimum = node.box.keywords.minItems, elements.count < minimum {
            errors.append(failure(node, "minItems", path, "expected at least \(count(minimum, "item")), got \(elements.count)"))
        }
        if let maximum = node.box.keywords.maxItems, elements.count > maximum {
            errors.append(failure(node, "maxItems", path, "expected at most \(count(maximum, "item")), got \(elements.count)"))
        }
        if node.box.keywords.uniqueItems {
            var firstIndex: [JSONValue: Int] = [:]
            for (index, element) in elements.enumerated() {
                if let earlier = firstIndex[element] {
                    errors.append(failure(node, "uniqueItems", path, "items \(earlier) and \(index) are equal, but the items must be unique"))
                } else {
                    firstIndex[element] = index
                }
            }
        }
    }

    // MARK: Objects

    private func checkObject(_ object: JSONObject, _ node: SchemaNode, _ path: JSONPointer, _ errors: inout [ValidationError]) {
        if !node.box.keywords.required.isEmpty {
            Self.checkRequired(object, node, path, &errors)
        }
        for property in node.box.keywords.properties {
            if let value = object[property.name] {
                errors += validate(value, against: property.schema, at: path.appending(property.name))
            }
        }
        if let additional = node.box.keywords.additionalProperties {
            for (name, value) in object where node.property(name) == nil {
                if case .boolean(false, _) = additional {
                    errors.append(Self.propertyNotAllowed(name, node, path))
                } else {
                    errors += validate(value, against: additional, at: path.appending(name))
                }
            }
        }
        if node.box.keywords.minProperties != nil || node.box.keywords.maxProperties != nil {
            Self.checkObjectSize(object, node, path, &errors)
        }
    }

    @inline(never)
    private static func checkRequired(_ object: JSONObject, _ node: SchemaNode, _ path: JSONPointer, _ errors: inout [ValidationError]) {
        for name in node.box.keywords.required where !object.contains(name) {
            errors.append(failure(node, "required", path, "missing required property \"\(name)\""))
        }
    }

    @inline(never)
    private static func propertyNotAllowed(_ name: String, _ node: SchemaNode, _ path: JSONPointer) -> ValidationError {
        let allowed = node.box.keywords.properties.isEmpty
            ? "no properties are allowed"
            : "allowed: \(list(node.box.keywords.properties.map { "\"\($0.name)\"" }, conjunction: "and", limit: 10))"
        return ValidationError(instancePath: path.appending(name), keyword: "additionalProperties",
                               keywordLocation: node.location.appending("additionalProperties"),
                               message: "the property \"\(name)\" is not allowed (\(allowed))")
    }

    @inline(never)
    private static func checkObjectSize(_ object: JSONObject, _ node: SchemaNode, _ path: JSONPointer, _ errors: inout [ValidationError]) {
        if let minimum = node.box.keywords.minProperties, object.count < minimum {
            errors.append(failure(node, "minProperties", path, "expected at least \(count(minimum, "property", plural: "properties")), got \(object.count)"))
        }
        if let maximum = node.box.keywords.maxProperties, object.count > maximum {
            errors.append(failure(node, "maxProperties", path, "expected at most \(count(maximum, "property", plural: "properties")), got \(object.count)"))
        }
    }

    // MARK: allOf / anyOf / oneOf

    private func checkCombinators(_ instance: JSONValue, _ node: SchemaNode, _ path: JSONPointer, _ errors: inout [ValidationError]) {
        for branch in node.box.keywords.allOf ?? [] {
            errors += validate(instance, against: branch, at: path)
        }
        if let branches = node.box.keywords.anyOf {
            var results: [[ValidationError]] = []
            for branch in branches {
                let result = validate(instance, against: branch, at: path)
                if result.isEmpty { break }
                results.append(result)
            }
            if results.count == branches.count {
                errors += summarise(results, branches, keyword: "anyOf", node: node, instance: instance, path: path)
            }
        }
        if let branches = node.box.keywords.oneOf {
            var results: [[ValidationError]] = []
            for branch in branches {
                results.append(validate(instance, against: branch, at: path))
            }
            let matching = results.indices.filter { results[$0].isEmpty }
            if matching.isEmpty {
                errors += summarise(results, branches, keyword: "oneOf", node: node, instance: instance, path: path)
            } else if matching.count > 1 {
                errors.append(Self.severalMatch(matching, node, path))
            }
        }
    }

    @inline(never)
    private static func severalMatch(_ matching: [Int], _ node: SchemaNode, _ path: JSONPointer) -> ValidationError {
        failure(node, "oneOf", path, "the value matches alternatives \(list(matching.map(String.init), conjunction: "and")) of oneOf, but must match exactly one")
    }

    // MARK: anyOf / oneOf

    /// The errors to report when no alternative matched.
    @inline(never)
    private func summarise(_ results: [[ValidationError]], _ branches: [JSONSchema], keyword: String,
                           node: SchemaNode, instance: JSONValue, path: JSONPointer) -> [ValidationError] {
        // An alternative fails "at the surface" when the value itself has the wrong type or
        // is not its const/enum; the others are the ones the author probably meant.
        func surfaceFailures(_ errors: [ValidationError]) -> [ValidationError] {
            errors.filter { $0.instancePath == path && ["type", "const", "enum", "false"].contains($0.keyword) }
        }
        var candidates = results.indices.filter { surfaceFailures(results[$0]).isEmpty }
        // Among objects, a failed const/enum on a direct member is a discriminator saying
        // "not this alternative" (Pydantic's tagged unions): prefer the alternatives without one.
        let undiscriminated = candidates.filter { index in
            !results[index].contains { ["const", "enum"].contains($0.keyword) && $0.instancePath.parent == path }
        }
        if !undiscriminated.isEmpty { candidates = undiscriminated }
        let location = node.location.appending(keyword)
        if candidates.count == 1 {
            return results[candidates[0]]
        }
        if candidates.isEmpty {
            var expectations: [String] = []
            for branch in branches {
                for expectation in Self.surfaceExpectations(of: branch, in: document) where !expectations.contains(expectation) {
                    expectations.append(expectation)
                }
            }
            let message = expectations.isEmpty
                ? "the value matches none of the alternatives of \(keyword)"
                : "expected \(Self.list(expectations, conjunction: "or", limit: 10)), got \(Self.render(instance)) (\(instance.typeName))"
            return [ValidationError(instancePath: path, keyword: keyword, keywordLocation: location, message: message)]
        }
        let details = candidates.map { index in
            "alternative \(index): " + results[index].prefix(3).map(\.description).joined(separator: ", ")
        }
        return [ValidationError(instancePath: path, keyword: keyword, keywordLocation: location,
                                message: "the value matches none of the alternatives of \(keyword) (\(details.joined(separator: "; ")))")]
    }

    /// What an alternative demands of the value itself: its types, const or enum values.
    private static func surfaceExpectations(of schema: JSONSchema, in document: SchemaDocument, depth: Int = 0) -> [String] {
        guard depth < 8, case .node(let node) = schema else { return [] }
        if let constant = node.box.keywords.constValue { return [render(constant)] }
        if let values = node.box.keywords.enumValues { return values.map(render) }
        if let types = node.box.keywords.types { return types.map(\.rawValue) }
        if let reference = node.box.keywords.reference { return surfaceExpectations(of: document.resolve(reference), in: document, depth: depth + 1) }
        return (node.box.keywords.anyOf ?? node.box.keywords.oneOf ?? []).flatMap { surfaceExpectations(of: $0, in: document, depth: depth + 1) }
    }

    // MARK: Text

    /// A value as compact JSON, shortened to about 60 characters.
    static func render(_ value: JSONValue) -> String {
        let text = value.compactString
        guard text.count > 60 else { return text }
        return String(text.prefix(57)) + "…"
    }

    static func list(_ items: [String], conjunction: String, limit: Int = .max) -> String {
        var shown = Array(items.prefix(limit))
        if items.count > limit { shown.append("\(items.count - limit) more") }
        switch shown.count {
        case 0: return ""
        case 1: return shown[0]
        default: return shown.dropLast().joined(separator: ", ") + " \(conjunction) " + shown.last!
        }
    }

    static func count(_ n: Int, _ noun: String, plural: String? = nil) -> String {
        "\(n) \(n == 1 ? noun : plural ?? noun + "s")"
    }
}
