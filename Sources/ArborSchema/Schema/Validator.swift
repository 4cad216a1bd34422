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

    func validate(_ instance: JSONValue, against schema: JSONSchema, at path: JSONPointer) -> [ValidationError] {
        switch schema {
        case .boolean(true, _):
            return []
        case .boolean(false, let location):
            return [ValidationError(instancePath: path, keyword: "false", keywordLocation: location,
                                    message: "no value is allowed here (the schema is `false`), got \(Self.render(instance))")]
        case .node(let node):
            return validate(instance, against: node, at: path)
        }
    }

    private func validate(_ instance: JSONValue, against node: SchemaNode, at path: JSONPointer) -> [ValidationError] {
        var errors: [ValidationError] = []
        func fail(_ keyword: String, _ message: String, at instancePath: JSONPointer? = nil) {
            errors.append(ValidationError(instancePath: instancePath ?? path, keyword: keyword,
                                          keywordLocation: node.location.appending(keyword), message: message))
        }

        if let reference = node.reference {
            errors += validate(instance, against: document.resolve(reference), at: path)
        }
        if let types = node.types, !types.contains(where: { $0.admits(instance) }) {
            fail("type", "expected \(Self.list(types.map(\.rawValue), conjunction: "or")), got \(instance.typeName)")
        }
        if let values = node.enumValues, !values.contains(instance) {
            fail("enum", "expected one of \(Self.list(values.map(Self.render), conjunction: "or", limit: 8)), got \(Self.render(instance))")
        }
        if let constant = node.constValue, constant != instance {
            fail("const", "expected \(Self.render(constant)), got \(Self.render(instance))")
        }

        switch instance {
        case .integer, .number:
            checkNumber(JSONNumber(instance)!, node, fail)
        case .string(let string):
            checkString(string, node, fail)
        case .array(let elements):
            checkArray(elements, node, path, &errors)
        case .object(let object):
            checkObject(object, node, path, &errors)
        default:
            break
        }

        for branch in node.allOf ?? [] {
            errors += validate(instance, against: branch, at: path)
        }
        if let branches = node.anyOf {
            let results = branches.map { validate(instance, against: $0, at: path) }
            if !results.contains(where: \.isEmpty) {
                errors += summarise(results, branches, keyword: "anyOf", node: node, instance: instance, path: path)
            }
        }
        if let branches = node.oneOf {
            let results = branches.map { validate(instance, against: $0, at: path) }
            let matching = results.indices.filter { results[$0].isEmpty }
            if matching.isEmpty {
                errors += summarise(results, branches, keyword: "oneOf", node: node, instance: instance, path: path)
            } else if matching.count > 1 {
                fail("oneOf", "the value matches alternatives \(Self.list(matching.map(String.init), conjunction: "and")) of oneOf, but must match exactly one")
            }
        }
        return errors
    }

    // MARK: Numbers

    private func checkNumber(_ number: JSONNumber, _ node: SchemaNode, _ fail: (String, String, JSONPointer?) -> Void) {
        if let bound = node.minimum, number < bound { fail("minimum", "expected a number >= \(bound), got \(number)", nil) }
        if let bound = node.maximum, number > bound { fail("maximum", "expected a number <= \(bound), got \(number)", nil) }
        if let bound = node.exclusiveMinimum, number <= bound { fail("exclusiveMinimum", "expected a number > \(bound), got \(number)", nil) }
        if let bound = node.exclusiveMaximum, number >= bound { fail("exclusiveMaximum", "expected a number < \(bound), got \(number)", nil) }
        if let divisor = node.multipleOf, !Self.isMultiple(number, of: divisor) {
            fail("multipleOf", "expected a multiple of \(divisor), got \(number)", nil)
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

    // MARK: Strings

    private func checkString(_ string: String, _ node: SchemaNode, _ fail: (String, String, JSONPointer?) -> Void) {
        if node.minLength != nil || node.maxLength != nil {
            let length = string.unicodeScalars.count
            if let minimum = node.minLength, length < minimum {
                fail("minLength", "expected at least \(Self.count(minimum, "character")), got \(length)", nil)
            }
            if let maximum = node.maxLength, length > maximum {
                fail("maxLength", "expected at most \(Self.count(maximum, "character")), got \(length)", nil)
            }
        }
        if let pattern = node.pattern, !pattern.matches(string) {
            fail("pattern", "\(Self.render(.string(string))) does not match the pattern \(pattern.source)", nil)
        }
        if let format = node.format, !format.isValid(string) {
            fail("format", "\(Self.render(.string(string))) is not a valid \(format.rawValue)", nil)
        }
    }

    // MARK: Arrays

    private func checkArray(_ elements: [JSONValue], _ node: SchemaNode, _ path: JSONPointer, _ errors: inout [ValidationError]) {
        func fail(_ keyword: String, _ message: String, _ instancePath: JSONPointer?) {
            errors.append(ValidationError(instancePath: instancePath ?? path, keyword: keyword,
                                          keywordLocation: node.location.appending(keyword), message: message))
        }
        let prefix = node.prefixItems ?? []
        for (index, element) in elements.enumerated() {
            if index < prefix.count {
                errors += validate(element, against: prefix[index], at: path.appending(index: index))
            } else if let items = node.items {
                if case .boolean(false, _) = items {
                    fail("items", "expected at most \(Self.count(prefix.count, "item")), got \(elements.count)", nil)
                    break
                }
                errors += validate(element, against: items, at: path.appending(index: index))
            }
        }
        if let minimum = node.minItems, elements.count < minimum {
            fail("minItems", "expected at least \(Self.count(minimum, "item")), got \(elements.count)", nil)
        }
        if let maximum = node.maxItems, elements.count > maximum {
            fail("maxItems", "expected at most \(Self.count(maximum, "item")), got \(elements.count)", nil)
        }
        if node.uniqueItems {
            var firstIndex: [JSONValue: Int] = [:]
            for (index, element) in elements.enumerated() {
                if let earlier = firstIndex[element] {
                    fail("uniqueItems", "items \(earlier) and \(index) are equal, but the items must be unique", nil)
                } else {
                    firstIndex[element] = index
                }
            }
        }
    }

    // MARK: Objects

    private func checkObject(_ object: JSONObject, _ node: SchemaNode, _ path: JSONPointer, _ errors: inout [ValidationError]) {
        func fail(_ keyword: String, _ message: String, _ instancePath: JSONPointer?) {
            errors.append(ValidationError(instancePath: instancePath ?? path, keyword: keyword,
                                          keywordLocation: node.location.appending(keyword), message: message))
        }
        for name in node.required where !object.contains(name) {
            fail("required", "missing required property \"\(name)\"", nil)
        }
        for property in node.properties {
            if let value = object[property.name] {
                errors += validate(value, against: property.schema, at: path.appending(property.name))
            }
        }
        if let additional = node.additionalProperties {
            for (name, value) in object where node.property(name) == nil {
                if case .boolean(false, _) = additional {
                    let allowed = node.properties.isEmpty ? "no properties are allowed" : "allowed: \(Self.list(node.properties.map { "\"\($0.name)\"" }, conjunction: "and", limit: 10))"
                    fail("additionalProperties", "the property \"\(name)\" is not allowed (\(allowed))", path.appending(name))
                } else {
                    errors += validate(value, against: additional, at: path.appending(name))
                }
            }
        }
        if let minimum = node.minProperties, object.count < minimum {
            fail("minProperties", "expected at least \(Self.count(minimum, "property", plural: "properties")), got \(object.count)", nil)
        }
        if let maximum = node.maxProperties, object.count > maximum {
            fail("maxProperties", "expected at most \(Self.count(maximum, "property", plural: "properties")), got \(object.count)", nil)
        }
    }

    // MARK: anyOf / oneOf

    /// The errors to report when no alternative matched.
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
        if let constant = node.constValue { return [render(constant)] }
        if let values = node.enumValues { return values.map(render) }
        if let types = node.types { return types.map(\.rawValue) }
        if let reference = node.reference { return surfaceExpectations(of: document.resolve(reference), in: document, depth: depth + 1) }
        return (node.anyOf ?? node.oneOf ?? []).flatMap { surfaceExpectations(of: $0, in: document, depth: depth + 1) }
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
