/// Compiles Arbor's YAML shorthand into the JSON Schema Pydantic v2 would emit.
///
/// A declaration is given in its JSON form (the YAML loader converts YAML to JSON first),
/// so errors carry a JSON pointer the loader maps back to a line and column:
///
/// - a string is a type expression: `str`, `int[0,10]`, `list[Source]`, `Optional[str]`;
/// - a mapping of names to declarations is an object (a Pydantic model); nested mappings
///   become models of their own in `$defs`, named after the field in PascalCase;
/// - a mapping with a `type` key whose other keys are all field options (``fieldOptions``)
///   is the long form of one field: `{type: str, description: ..., default: ...}`.
///
/// Named types come from the workflow's `types:` section: a mapping there is a model
/// (emitted once under `$defs` and referenced with `$ref`, so it may be recursive), a string
/// is an alias that is expanded where it is used. Key order follows Pydantic: keys sorted,
/// except that properties keep the order they were written in.
///
/// ```swift
/// var compiler = ShorthandCompiler(types: ["Source": ["url": "str"]])
/// let schema = compiler.compileModel(["sources": "list[Source]"], title: "Output", at: .root)
/// // {"$defs": {"Source": {...}}, "properties": {"sources": {"items": {"$ref": "#/$defs/Source"},
/// //  "title": "Sources", "type": "array"}}, "required": ["sources"], "title": "Output", "type": "object"}
/// compiler.errors  // []
/// ```
public struct ShorthandCompiler: Sendable {
    /// Keys allowed next to `type` in a field's long form; names follow Pydantic's `Field(...)`.
    public static let fieldOptions: [String] = [
        "type", "description", "default", "examples", "title",
        "pattern", "min_length", "max_length", "ge", "gt", "le", "lt", "multiple_of",
    ]

    /// Every problem found so far, in the order found.
    public private(set) var errors: [ShorthandError] = []

    private struct Model: Sendable {
        var schema: JSONValue
        var references: Set<String>
    }

    private var models: [String: Model] = [:]
    private var aliases: [String: (type: ShorthandType, pointer: JSONPointer)] = [:]
    private var declaredModelNames: Set<String> = []
    private var aliasStack: [String] = []
    /// The models of the `types:` section, including models of nested mappings inside them;
    /// models of nested mappings elsewhere belong to one document and are dropped after it.
    private var sectionModelNames: Set<String> = []
    /// The named models the declaration being compiled refers to.
    private var references: Set<String> = []

    /// Prepares the named types of a `types:` section found at `typesPointer`.
    public init(types: JSONObject = [:], at typesPointer: JSONPointer = JSONPointer(tokens: ["types"])) {
        for (name, declaration) in types {
            let pointer = typesPointer.appending(name)
            if !Self.isIdentifier(name) {
                errors.append(ShorthandError(pointer: pointer, message: "the type name `\(name)` is not an identifier",
                                             hint: "use letters, digits and underscores, starting with a letter, e.g. `Source`"))
                continue
            }
            if ShorthandType.builtinNames.contains(name) {
                errors.append(ShorthandError(pointer: pointer, message: "the type name `\(name)` is a built-in type name; choose another"))
                continue
            }
            switch declaration {
            case .object: declaredModelNames.insert(name)
            case .string(let text):
                do { aliases[name] = (try ShorthandType(parsing: text), pointer) } catch {
                    errors.append(ShorthandError(pointer: pointer, offset: error.offset, message: error.message, hint: error.hint))
                }
            default:
                errors.append(ShorthandError(pointer: pointer, message: "a type declaration must be a mapping of fields or a type expression string, found \(declaration.typeName)"))
            }
        }
        for (name, declaration) in types where declaredModelNames.contains(name) {
            guard case .object(let fields) = declaration else { continue }
            references = []
            let schema = modelSchema(fields, title: name, at: typesPointer.appending(name))
            models[name] = Model(schema: schema, references: references)
        }
        sectionModelNames = Set(models.keys)
        // Check aliases even when unused so that a typo in one is reported.
        for (name, alias) in aliases {
            references = []
            aliasStack = [name]
            _ = coreSchema(alias.type, at: alias.pointer)
            aliasStack = []
        }
        references = []
    }

    /// Forgets the problems reported so far (a caller that has taken them calls this).
    public mutating func clearErrors() {
        errors = []
    }

    /// The schema of an object whose fields are `fields` (a mapping of names to declarations),
    /// with `$defs` for every named model it reaches.
    public mutating func compileModel(_ fields: JSONObject, title: String, at pointer: JSONPointer) -> JSONValue {
        startDocument()
        let root = modelSchema(fields, title: title, at: pointer)
        return withDefinitions(root)
    }

    /// The schema of any declaration: a type expression string or a mapping of fields.
    ///
    /// A string naming a model gives that model's schema at the top level, as Pydantic's
    /// `Model.model_json_schema()` does (a `$ref` into `$defs` when the model is recursive);
    /// another expression gives the schema `TypeAdapter(T).json_schema()` would.
    public mutating func compileType(_ declaration: JSONValue, title: String, at pointer: JSONPointer) -> JSONValue {
        switch declaration {
        case .object(let fields):
            return compileModel(fields, title: title, at: pointer)
        case .string(let text):
            startDocument()
            guard let type = parse(text, at: pointer) else { return [:] }
            if case .named(let name) = type, let model = models[name] {
                references = model.references
                if closure(of: model.references).contains(name) {
                    return withDefinitions(Self.sorted(["$ref": .string("#/$defs/\(name)")]))
                }
                return withDefinitions(model.schema)
            }
            let root = coreSchema(type, at: pointer)
            return withDefinitions(root)
        default:
            errors.append(ShorthandError(pointer: pointer, message: "a type must be a shorthand string such as `str` or a mapping of fields, found \(declaration.typeName)"))
            return [:]
        }
    }

    /// Forgets the nested-mapping models of the previous document, so that each document
    /// names its own (`Address`, not `Address2` because another document had one).
    private mutating func startDocument() {
        references = []
        models = models.filter { sectionModelNames.contains($0.key) }
        declaredModelNames = declaredModelNames.filter { sectionModelNames.contains($0) || !anonymousModelNames.contains($0) }
    }

    /// Models named after a nested mapping's field rather than declared in `types:`.
    private var anonymousModelNames: Set<String> = []

    // MARK: Models and fields

    private mutating func modelSchema(_ fields: JSONObject, title: String, at pointer: JSONPointer) -> JSONValue {
        var properties = JSONObject()
        var required: [JSONValue] = []
        for (name, declaration) in fields {
            let fieldPointer = pointer.appending(name)
            if let misspelt = misspeltOption(name, declaration: declaration, siblings: fields) {
                errors.append(ShorthandError(pointer: fieldPointer, message: "`\(name)` is not a field option", hint: "did you mean `\(misspelt)`?", isAboutKey: true))
                continue
            }
            let (schema, hasDefault) = fieldSchema(name: name, declaration, at: fieldPointer)
            properties[name] = schema
            if !hasDefault { required.append(.string(name)) }
        }
        var object: JSONObject = ["properties": .object(properties)]
        if !required.isEmpty { object["required"] = .array(required) }
        object["title"] = .string(title)
        object["type"] = "object"
        return .object(object)
    }

    /// A key of a long-form field that looks like a misspelt option, e.g. `descripton` next to `type`.
    private func misspeltOption(_ name: String, declaration: JSONValue, siblings: JSONObject) -> String? {
        guard siblings.contains("type"), !Self.fieldOptions.contains(name) else { return nil }
        if case .string(let text) = declaration, (try? ShorthandType(parsing: text)) != nil { return nil }
        if case .object = declaration { return nil }
        return SpellingHint.closest(to: name, in: Self.fieldOptions)
    }

    /// Whether `declaration` is a field's long form rather than a nested object.
    public static func isLongForm(_ declaration: JSONObject) -> Bool {
        declaration.contains("type") && declaration.keys.allSatisfy { fieldOptions.contains($0) }
    }

    private mutating func fieldSchema(name: String, _ declaration: JSONValue, at pointer: JSONPointer) -> (JSONValue, hasDefault: Bool) {
        var options = JSONObject()
        var typeDeclaration = declaration
        var typePointer = pointer
        if case .object(let object) = declaration, Self.isLongForm(object) {
            options = object
            typeDeclaration = object["type"]!
            typePointer = pointer.appending("type")
        }
        var core: JSONValue
        var isModel = false
        switch typeDeclaration {
        case .string(let text):
            guard let type = parse(text, at: typePointer) else { return ([:], options.contains("default")) }
            core = coreSchema(type, at: typePointer)
            isModel = isModelReference(type)
        case .object(let nested):
            let modelName = nestedModelName(for: name)
            declaredModelNames.insert(modelName)
            anonymousModelNames.insert(modelName)
            let saved = references
            references = []
            let schema = modelSchema(nested, title: modelName, at: typePointer)
            models[modelName] = Model(schema: schema, references: references)
            references = saved.union([modelName])
            core = ["$ref": .string("#/$defs/\(modelName)")]
            isModel = true
        default:
            errors.append(ShorthandError(pointer: typePointer, message: "the type of `\(name)` must be a shorthand string such as `str` or a mapping of fields, found \(typeDeclaration.typeName)"))
            return ([:], options.contains("default"))
        }
        core = applyConstraints(options, to: core, at: pointer)
        guard case .object(var field) = core else { return (core, false) }
        if !isModel { field["title"] = .string(options["title"]?.stringValue ?? Self.pythonTitle(name)) }
        else if let title = options["title"] { field["title"] = title }
        for key in ["description", "default", "examples"] {
            if let value = options[key] { field[key] = value }
        }
        if let description = options["description"], description.stringValue == nil {
            errors.append(ShorthandError(pointer: pointer.appending("description"), message: "a description must be a string, found \(description.typeName)"))
        }
        if let examples = options["examples"], examples.arrayValue == nil {
            errors.append(ShorthandError(pointer: pointer.appending("examples"), message: "`examples` must be a list of example values, found \(examples.typeName)"))
        }
        return (Self.sorted(field), options.contains("default"))
    }

    private mutating func nestedModelName(for field: String) -> String {
        let base = Self.pascalCase(field)
        var candidate = base.isEmpty ? "Model" : base
        var suffix = 2
        while declaredModelNames.contains(candidate) || aliases[candidate] != nil {
            candidate = "\(base)\(suffix)"
            suffix += 1
        }
        return candidate
    }

    private func isModelReference(_ type: ShorthandType) -> Bool {
        switch type {
        case .named(let name):
            if let alias = aliases[name], !aliasStack.contains(name) { return isModelReference(alias.type) }
            return declaredModelNames.contains(name)
        case .optional(let inner): return isModelReference(inner)
        default: return false
        }
    }

    /// Pydantic `Field(...)` constraints, applied to the non-null branch of an `Optional`.
    private mutating func applyConstraints(_ options: JSONObject, to schema: JSONValue, at pointer: JSONPointer) -> JSONValue {
        let constraintKeys = ["pattern", "min_length", "max_length", "ge", "gt", "le", "lt", "multiple_of"]
        guard constraintKeys.contains(where: { options.contains($0) }) else { return schema }
        guard case .object(var object) = schema else { return schema }
        if case .array(var branches)? = object["anyOf"], let index = branches.firstIndex(where: { $0["type"] != "null" }) {
            branches[index] = applyConstraints(options, to: branches[index], at: pointer)
            object["anyOf"] = .array(branches)
            return .object(object)
        }
        let type = object["type"]?.stringValue
        for key in constraintKeys {
            guard let value = options[key] else { continue }
            let here = pointer.appending(key)
            switch key {
            case "pattern":
                guard type == "string" else { misplaced(key, type, "strings", here); continue }
                guard case .string(let source) = value else {
                    errors.append(ShorthandError(pointer: here, message: "`pattern` must be a string holding a regular expression"))
                    continue
                }
                do { _ = try RegexPattern(source) } catch {
                    errors.append(ShorthandError(pointer: here, message: "the pattern \"\(source)\" cannot be used: \(error)"))
                }
                object["pattern"] = value
            case "min_length", "max_length":
                guard type == "string" || type == "array" else { misplaced(key, type, "strings and lists", here); continue }
                guard let count = value.integerValue, count >= 0 else {
                    errors.append(ShorthandError(pointer: here, message: "`\(key)` must be a non-negative integer"))
                    continue
                }
                let keyword = type == "string" ? (key == "min_length" ? "minLength" : "maxLength")
                                               : (key == "min_length" ? "minItems" : "maxItems")
                object[keyword] = .integer(count)
            default:
                guard type == "integer" || type == "number" else { misplaced(key, type, "int and float fields", here); continue }
                guard value.doubleValue != nil else {
                    errors.append(ShorthandError(pointer: here, message: "`\(key)` must be a number"))
                    continue
                }
                let keyword = ["ge": "minimum", "gt": "exclusiveMinimum", "le": "maximum", "lt": "exclusiveMaximum",
                               "multiple_of": "multipleOf"][key]!
                object[keyword] = value
            }
        }
        return Self.sorted(object)
    }

    private mutating func misplaced(_ key: String, _ type: String?, _ applies: String, _ pointer: JSONPointer) {
        errors.append(ShorthandError(pointer: pointer, message: "`\(key)` applies only to \(applies), not to \(type.map { "a field of type \($0)" } ?? "this type")"))
    }

    // MARK: Type expressions

    private mutating func parse(_ text: String, at pointer: JSONPointer) -> ShorthandType? {
        do { return try ShorthandType(parsing: text) } catch {
            errors.append(ShorthandError(pointer: pointer, offset: error.offset, message: error.message, hint: error.hint))
            return nil
        }
    }

    /// The schema of a type expression, without a field's title or options.
    private mutating func coreSchema(_ type: ShorthandType, at pointer: JSONPointer) -> JSONValue {
        switch type {
        case .string: return ["type": "string"]
        case .boolean: return ["type": "boolean"]
        case .any: return [:]
        case .formatted(let format): return ["format": .string(format.rawValue), "type": "string"]
        case .integer(let minimum, let maximum), .number(let minimum, let maximum):
            var object = JSONObject()
            if let maximum { object["maximum"] = maximum }
            if let minimum { object["minimum"] = minimum }
            if case .integer = type { object["type"] = "integer" } else { object["type"] = "number" }
            return .object(object)
        case .list(let element):
            return ["items": coreSchema(element, at: pointer), "type": "array"]
        case .dictionary(let value):
            let valueSchema = coreSchema(value, at: pointer)
            return ["additionalProperties": valueSchema == [:] ? true : valueSchema, "type": "object"]
        case .optional(let inner):
            let innerSchema = coreSchema(inner, at: pointer)
            if innerSchema == [:] { return [:] }
            if case .array(let branches)? = innerSchema["anyOf"], branches.contains(["type": "null"]) { return innerSchema }
            return ["anyOf": [innerSchema, ["type": "null"]]]
        case .literal(let values):
            let types = Set(values.map(\.typeName))
            var object = JSONObject()
            if values.count == 1 { object["const"] = values[0] } else { object["enum"] = .array(values) }
            if types.count == 1, let only = types.first { object["type"] = .string(only) }
            return .object(object)
        case .named(let name):
            if declaredModelNames.contains(name) {
                references.insert(name)
                return ["$ref": .string("#/$defs/\(name)")]
            }
            if let alias = aliases[name] {
                if aliasStack.contains(name) {
                    errors.append(ShorthandError(pointer: alias.pointer, message: "the type alias `\(name)` refers to itself through \(aliasStack.joined(separator: " → "))",
                                                 hint: "declare it as a mapping of fields to make a recursive model"))
                    return [:]
                }
                aliasStack.append(name)
                defer { aliasStack.removeLast() }
                return coreSchema(alias.type, at: pointer)
            }
            let known = Array(declaredModelNames) + Array(aliases.keys) + ShorthandType.builtinNames
            errors.append(ShorthandError(pointer: pointer, message: "unknown type `\(name)`; declare it in the `types:` section",
                                         hint: SpellingHint.didYouMean(name, in: known.sorted())))
            return [:]
        }
    }

    // MARK: Definitions

    private func closure(of roots: Set<String>) -> Set<String> {
        var reached = Set<String>()
        var pending = Array(roots)
        while let name = pending.popLast() {
            guard reached.insert(name).inserted, let model = models[name] else { continue }
            pending.append(contentsOf: model.references)
        }
        return reached
    }

    private func withDefinitions(_ root: JSONValue) -> JSONValue {
        let names = closure(of: references).filter { models[$0] != nil }.sorted()
        guard !names.isEmpty, case .object(var object) = root else { return root }
        var definitions = JSONObject()
        for name in names { definitions[name] = models[name]!.schema }
        object["$defs"] = .object(definitions)
        return Self.sorted(object)
    }
}
