/// Turns a schema's JSON into ``JSONSchema`` values, checking every keyword.
///
/// The compiler never stops at the first problem: it walks the whole document, then resolves
/// every `$ref`, then looks for reference cycles, and reports everything it found in one
/// ``SchemaCompileError``. Use it through ``SchemaDocument/init(compiling:)``.
struct SchemaCompiler {
    private let document: JSONValue
    private var errors: [SchemaError] = []
    /// Every schema compiled so far, by location (subschemas share storage with their parents).
    private var compiled: [JSONPointer: JSONSchema] = [:]
    /// The locations of `$defs`/`definitions` entries, in document order.
    private var definitions: [JSONPointer] = []
    private var references: [(reference: SchemaReference, at: JSONPointer)] = []
    private var rootID: String?

    init(document: JSONValue) {
        self.document = document
        if case .string(let id)? = document["$id"] { rootID = id }
    }

    /// Compiles the document; returns the root, the targets and definitions, or all errors.
    mutating func run() throws(SchemaCompileError) -> (root: JSONSchema, targets: [JSONPointer: JSONSchema], definitions: [JSONPointer]) {
        let root = compile(document, at: .root)
        resolveReferences()
        if errors.isEmpty { findCycles() }
        guard errors.isEmpty else { throw SchemaCompileError(errors: errors) }
        var targets: [JSONPointer: JSONSchema] = [.root: root]
        for location in definitions + references.map(\.reference.target) { targets[location] = compiled[location] }
        return (root, targets, definitions)
    }

    // MARK: Schemas

    private mutating func compile(_ value: JSONValue, at pointer: JSONPointer) -> JSONSchema {
        let schema: JSONSchema
        switch value {
        case .bool(let b):
            schema = .boolean(b, location: pointer)
        case .object(let object):
            schema = .node(compileNode(object, at: pointer))
        default:
            errors.append(.invalidSchema(pointer: pointer, found: Self.describe(value)))
            schema = .boolean(true, location: pointer)
        }
        compiled[pointer] = schema
        return schema
    }

    private mutating func compileNode(_ object: JSONObject, at pointer: JSONPointer) -> SchemaNode {
        var node = SchemaNode(location: pointer)
        var itemsArray: [JSONSchema]?
        var additionalItems: JSONSchema?
        var draft4Exclusive: [String: Bool] = [:]
        for (keyword, value) in object {
            let here = pointer.appending(keyword)
            switch keyword {
            case "$ref":
                guard case .string(let text) = value else { invalid(keyword, pointer, "a string such as \"#/$defs/Name\""); continue }
                if let reference = reference(text, at: pointer) {
                    node.reference = reference
                    references.append((reference, pointer))
                }
            case "type": node.types = types(value, at: pointer)
            case "enum":
                guard case .array(let values) = value else { invalid(keyword, pointer, "an array of allowed values"); continue }
                node.enumValues = values
            case "const": node.constValue = value
            case "allOf": node.allOf = schemaList(value, keyword: keyword, at: pointer)
            case "anyOf": node.anyOf = schemaList(value, keyword: keyword, at: pointer)
            case "oneOf": node.oneOf = schemaList(value, keyword: keyword, at: pointer)
            case "properties":
                guard case .object(let members) = value else { invalid(keyword, pointer, "an object mapping property names to schemas"); continue }
                node.properties = members.map { NamedSchema(name: $0.key, schema: compile($0.value, at: here.appending($0.key))) }
            case "required": node.required = required(value, at: pointer)
            case "additionalProperties": node.additionalProperties = compile(value, at: here)
            case "minProperties": node.minProperties = count(value, keyword, pointer)
            case "maxProperties": node.maxProperties = count(value, keyword, pointer)
            case "items":
                if case .array(let elements) = value {
                    itemsArray = elements.enumerated().map { compile($0.element, at: here.appending(index: $0.offset)) }
                } else {
                    node.items = compile(value, at: here)
                }
            case "prefixItems": node.prefixItems = schemaList(value, keyword: keyword, at: pointer)
            case "additionalItems": additionalItems = compile(value, at: here)
            case "minItems": node.minItems = count(value, keyword, pointer)
            case "maxItems": node.maxItems = count(value, keyword, pointer)
            case "uniqueItems":
                guard case .bool(let b) = value else { invalid(keyword, pointer, "a boolean"); continue }
                node.uniqueItems = b
            case "minLength": node.minLength = count(value, keyword, pointer)
            case "maxLength": node.maxLength = count(value, keyword, pointer)
            case "pattern":
                guard case .string(let source) = value else { invalid(keyword, pointer, "a string holding an ECMA-262 regular expression"); continue }
                do {
                    node.pattern = try RegexPattern(source)
                } catch {
                    errors.append(.invalidPattern(pattern: source, pointer: here, reason: error))
                }
            case "format":
                guard case .string(let name) = value else { invalid(keyword, pointer, "a string naming a format"); continue }
                guard let format = StringFormat(rawValue: name) else {
                    errors.append(.unsupportedFormat(format: name, pointer: here))
                    continue
                }
                node.format = format
            case "minimum": node.minimum = number(value, keyword, pointer)
            case "maximum": node.maximum = number(value, keyword, pointer)
            case "exclusiveMinimum", "exclusiveMaximum":
                if case .bool(let b) = value {
                    draft4Exclusive[keyword] = b
                    continue
                }
                let bound = number(value, keyword, pointer, expected: "a number (or, in draft-4 style, a boolean)")
                if keyword == "exclusiveMinimum" { node.exclusiveMinimum = bound } else { node.exclusiveMaximum = bound }
            case "multipleOf":
                guard let divisor = JSONNumber(value), divisor > .integer(0) else { invalid(keyword, pointer, "a number greater than 0"); continue }
                node.multipleOf = divisor
            case "$defs", "definitions":
                guard case .object(let members) = value else { invalid(keyword, pointer, "an object mapping names to schemas"); continue }
                for (name, member) in members {
                    let location = here.appending(name)
                    _ = compile(member, at: location)
                    definitions.append(location)
                }
            default:
                compileAnnotation(keyword, value, at: pointer, into: &node.annotations)
            }
        }
        normaliseDraft7Items(&node, itemsArray: itemsArray, additionalItems: additionalItems, at: pointer)
        normaliseDraft4Bounds(&node, draft4Exclusive, at: pointer)
        return node
    }

    private mutating func compileAnnotation(_ keyword: String, _ value: JSONValue, at pointer: JSONPointer, into annotations: inout SchemaAnnotations) {
        func string(_ assign: (String) -> Void) {
            if case .string(let s) = value { assign(s) } else { invalid(keyword, pointer, "a string") }
        }
        func bool(_ assign: (Bool) -> Void) {
            if case .bool(let b) = value { assign(b) } else { invalid(keyword, pointer, "a boolean") }
        }
        switch keyword {
        case "title": string { annotations.title = $0 }
        case "description": string { annotations.description = $0 }
        case "$comment": string { annotations.comment = $0 }
        case "$schema": string { annotations.dialect = $0 }
        case "$id":
            guard pointer.isRoot else {
                invalid(keyword, pointer, "absent below the root, because Arbor resolves every $ref against the root document")
                return
            }
            string { annotations.id = $0 }
        case "default": annotations.defaultValue = value
        case "examples":
            if case .array(let values) = value { annotations.examples = values } else { invalid(keyword, pointer, "an array") }
        case "deprecated": bool { annotations.deprecated = $0 }
        case "readOnly": bool { annotations.readOnly = $0 }
        case "writeOnly": bool { annotations.writeOnly = $0 }
        case "discriminator":
            if case .object = value { annotations.discriminator = value } else { invalid(keyword, pointer, "an object with a `propertyName`") }
        default:
            errors.append(.unsupportedKeyword(keyword: keyword, pointer: pointer.appending(keyword)))
        }
    }

    /// Draft-7 array-form `items` is `prefixItems`, and its `additionalItems` is `items`.
    private mutating func normaliseDraft7Items(_ node: inout SchemaNode, itemsArray: [JSONSchema]?, additionalItems: JSONSchema?, at pointer: JSONPointer) {
        if let itemsArray {
            if node.prefixItems != nil {
                errors.append(.conflictingKeywords(keywords: ["prefixItems", "items"], pointer: pointer,
                                                   reason: "array-form `items` is the draft-7 spelling of `prefixItems`; use one of them"))
            } else {
                node.prefixItems = itemsArray
                node.items = additionalItems
            }
        } else if additionalItems != nil {
            errors.append(.conflictingKeywords(keywords: ["additionalItems", "items"], pointer: pointer,
                                               reason: "`additionalItems` applies only after array-form `items`; with `prefixItems`, use `items` for the rest"))
        }
    }

    /// Draft-4 `"exclusiveMinimum": true` makes `minimum` exclusive.
    private mutating func normaliseDraft4Bounds(_ node: inout SchemaNode, _ flags: [String: Bool], at pointer: JSONPointer) {
        for (keyword, isExclusive) in flags.sorted(by: { $0.key < $1.key }) where isExclusive {
            let isMinimum = keyword == "exclusiveMinimum"
            guard let bound = isMinimum ? node.minimum : node.maximum else {
                invalid(keyword, pointer, "a number (the draft-4 boolean form needs `\(isMinimum ? "minimum" : "maximum")` beside it)")
                continue
            }
            if isMinimum {
                node.exclusiveMinimum = bound
                node.minimum = nil
            } else {
                node.exclusiveMaximum = bound
                node.maximum = nil
            }
        }
    }

    // MARK: Keyword values

    private mutating func invalid(_ keyword: String, _ pointer: JSONPointer, _ expected: String) {
        errors.append(.invalidKeywordValue(keyword: keyword, pointer: pointer.appending(keyword), expected: expected))
    }

    private mutating func types(_ value: JSONValue, at pointer: JSONPointer) -> [SchemaType]? {
        let expected = "a type name (null, boolean, integer, number, string, array, object) or an array of distinct type names"
        let names: [JSONValue]
        switch value {
        case .string: names = [value]
        case .array(let elements) where !elements.isEmpty: names = elements
        default:
            invalid("type", pointer, expected)
            return nil
        }
        var types: [SchemaType] = []
        for name in names {
            guard case .string(let text) = name, let type = SchemaType(rawValue: text), !types.contains(type) else {
                invalid("type", pointer, expected)
                return nil
            }
            types.append(type)
        }
        return types
    }

    private mutating func schemaList(_ value: JSONValue, keyword: String, at pointer: JSONPointer) -> [JSONSchema]? {
        guard case .array(let elements) = value, !elements.isEmpty else {
            invalid(keyword, pointer, "a non-empty array of schemas")
            return nil
        }
        let here = pointer.appending(keyword)
        return elements.enumerated().map { compile($0.element, at: here.appending(index: $0.offset)) }
    }

    private mutating func required(_ value: JSONValue, at pointer: JSONPointer) -> [String] {
        guard case .array(let elements) = value else {
            invalid("required", pointer, "an array of distinct property names")
            return []
        }
        var names: [String] = []
        for element in elements {
            guard case .string(let name) = element, !names.contains(name) else {
                invalid("required", pointer, "an array of distinct property names")
                return []
            }
            names.append(name)
        }
        return names
    }

    private mutating func count(_ value: JSONValue, _ keyword: String, _ pointer: JSONPointer) -> Int? {
        guard let integer = value.integerValue, integer >= 0, integer <= Int64(Int32.max) else {
            invalid(keyword, pointer, "a non-negative integer")
            return nil
        }
        return Int(integer)
    }

    private mutating func number(_ value: JSONValue, _ keyword: String, _ pointer: JSONPointer, expected: String = "a number") -> JSONNumber? {
        guard let number = JSONNumber(value) else {
            invalid(keyword, pointer, expected)
            return nil
        }
        return number
    }

    // MARK: References

    private mutating func reference(_ text: String, at pointer: JSONPointer) -> SchemaReference? {
        var fragment = text
        if let rootID, !rootID.isEmpty, text.hasPrefix(rootID) {
            fragment = String(text.dropFirst(rootID.count))
            if fragment.isEmpty { fragment = "#" }
        }
        guard fragment.hasPrefix("#"), let target = try? JSONPointer(uriFragment: fragment) else {
            errors.append(.unsupportedReference(reference: text, pointer: pointer.appending("$ref")))
            return nil
        }
        return SchemaReference(source: text, target: target)
    }

    /// Makes sure every `$ref` target is compiled; a target that is not a schema position of
    /// the main walk (say, a value inside `examples`) is compiled on demand.
    private mutating func resolveReferences() {
        var cursor = 0
        while cursor < references.count {
            let (reference, pointer) = references[cursor]
            cursor += 1
            if compiled[reference.target] != nil { continue }
            guard let value = reference.target.resolve(in: document) else {
                errors.append(.unresolvedReference(reference: reference.source, pointer: pointer.appending("$ref")))
                continue
            }
            _ = compile(value, at: reference.target)
        }
    }

    // MARK: Cycles

    /// Reports schemas that reach themselves through in-place applicators only (`$ref`,
    /// `allOf`, `anyOf`, `oneOf`): validating them would recurse without end.
    private mutating func findCycles() {
        enum Mark { case visiting, done }
        var marks: [JSONPointer: Mark] = [:]
        var cycles = Set<JSONPointer>()
        let compiled = self.compiled

        func visit(_ schema: JSONSchema) {
            guard case .node(let node) = schema, marks[node.location] == nil else { return }
            marks[node.location] = .visiting
            var children: [(schema: JSONSchema, referrer: JSONPointer)] = []
            if let reference = node.reference, let target = compiled[reference.target] {
                children.append((target, node.location))
            }
            for child in (node.allOf ?? []) + (node.anyOf ?? []) + (node.oneOf ?? []) {
                children.append((child, node.location))
            }
            for (child, referrer) in children {
                if marks[child.location] == .visiting {
                    cycles.insert(referrer)
                } else {
                    visit(child)
                }
            }
            marks[node.location] = .done
        }

        for location in compiled.keys.sorted() { visit(compiled[location]!) }
        errors += cycles.sorted().map { .referenceCycle(pointer: $0) }
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer, .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
