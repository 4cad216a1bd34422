import ArborSchema

/// A grammar built from one JSON Schema, with the constraints it leaves to validation.
public struct SchemaGrammar: Sendable {
    public var grammar: Grammar
    /// Constraints not enforced by ``grammar``; validate the finished value for these.
    public var postChecks: [PostCheck]
}

/// Compiles JSON Schemas (as compiled by ArborSchema) into grammar rules.
///
/// The generated language is a subset of the schema's instances, written one canonical way:
///
/// - **Whitespace**: none by default (``SchemaGrammarOptions/Whitespace/compact``), or a
///   bounded run at each place JSON allows it.
/// - **Objects**: properties in the order the schema declares them (required and optional
///   interleaved as declared); optional properties may be left out. A `required` name with
///   no `properties` entry follows the declared ones, with any value. No other members are
///   generated unless `additionalProperties` is a schema (not `true`/absent): generation
///   policy is "additionalProperties false unless a schema says what extra members hold".
///   Extra members then follow the declared ones, and their keys not repeating declared
///   names is a post-check. `minProperties`/`maxProperties` bound the extra members of an
///   object without declared properties; otherwise they are post-checks unless trivially met.
/// - **Arrays**: `prefixItems` then `items`; with `prefixItems` and no `items`, no further
///   elements are generated. `minItems`/`maxItems` are enforced; `uniqueItems` is a post-check.
/// - **Strings**: any JSON string, escapes included (`\uXXXX` only for non-surrogates; other
///   characters are written directly as UTF-8). `minLength`/`maxLength` are enforced by
///   counting characters (one escape is one character). `pattern` and `format` are enforced
///   through the regex DFA lowered to UTF-8; inside them, a character that JSON must escape
///   is written with its one short escape (`\"`, `\\`, `\n`, …, `\u00XX`), and no other
///   escapes are generated. `pattern` or `format` together with a length bound: the
///   automaton is paired with a character count (`CountedAutomaton`), unless that product
///   exceeds ``maximumCountedPatternStates`` states; then the length is a post-check. Format semantics beyond the syntax (days per month) are post-checks.
/// - **Integers**: `-?(0|[1-9][0-9]{0,17})`; bounds that fit in `Int64` are enforced
///   exactly by a digit-by-digit range grammar (`IntegerRangeGrammar`), and an open side
///   stops at ``SchemaGrammarOptions/maximumIntegerDigits`` digits. Bounds beyond `Int64`
///   and `multipleOf` are post-checks.
/// - **Numbers**: JSON numbers with bounded digit counts (``SchemaGrammarOptions``). Any
///   bound makes them exact decimal ranges without exponent (`DecimalRangeGrammar`), never
///   wider than the validator's double comparison allows; `multipleOf` is a post-check.
/// - **enum/const**: the values' compact JSON text, exactly.
/// - **anyOf**: a choice. **oneOf**: a choice, with "exactly one" as a post-check unless
///   the branches are provably exclusive (`OneOfExclusivity`). Sibling keywords are merged
///   into each alternative. **allOf**: merged into one schema where simple (see
///   ``SchemaMerge``), else an error. **$ref**: a rule per target and recursion level, at most
///   ``SchemaGrammarOptions/maximumRecursionDepth`` re-entries deep (see `Grammar.pruneDeadEnds()`).
///
/// ```swift
/// let document = try SchemaDocument(compiling: ["type": "array", "items": ["type": "integer"], "maxItems": 3])
/// let built = try SchemaGrammarBuilder.grammar(for: document)
/// built.grammar.gbnf  // root ::= "[" ( json-integer ( "," json-integer ){0,2} )? "]" …
/// ```
public struct SchemaGrammarBuilder: Sendable {
    /// The grammar being built; several schemas may be added to one grammar.
    public internal(set) var grammar: Grammar
    public let options: SchemaGrammarOptions
    public internal(set) var postChecks: [PostCheck] = []
    public internal(set) var errors: [GrammarError] = []

    var document: SchemaDocument?
    /// The rule of each `$ref` target, per recursion level (see ``rule(for:)``).
    var ruleForTarget: [TargetLevel: RuleID] = [:]
    /// The `$ref` targets whose rules are being built, outermost first.
    var expanding: [JSONPointer] = []
    /// Some `$ref` hit ``SchemaGrammarOptions/maximumRecursionDepth``: prune before finishing.
    var recursionWasCut = false

    struct TargetLevel: Hashable {
        var location: JSONPointer
        var level: Int
    }
    var sharedRules: [String: RuleID] = [:]
    /// The `maxLength` of strings whose schema gives none (the tree grammar sets it while it
    /// adds tool parameters); nil leaves them unbounded.
    var defaultMaximumStringLength: Int?
    var prefix = ""

    public init(grammar: Grammar = Grammar(), options: SchemaGrammarOptions = SchemaGrammarOptions()) {
        self.grammar = grammar
        self.options = options
    }

    /// A grammar whose root is `document`'s root schema.
    public static func grammar(for document: SchemaDocument, options: SchemaGrammarOptions = SchemaGrammarOptions()) throws(GrammarCompileError) -> SchemaGrammar {
        var builder = SchemaGrammarBuilder(options: options)
        let root = builder.addSchema(document, named: "root")
        builder.grammar.root = root
        return try builder.finish()
    }

    /// Adds rules for `document` and returns the rule of its root. Rule names of this
    /// document start with `name`. Problems are collected; ``finish()`` throws them.
    public mutating func addSchema(_ document: SchemaDocument, named name: String) -> RuleID {
        self.document = document
        ruleForTarget = [:]
        prefix = name
        let root = grammar.addRule(named: name)
        ruleForTarget[TargetLevel(location: document.root.location, level: 0)] = root
        expanding = [document.root.location]
        grammar.setBody(expression(for: document.root, depth: 0), of: root)
        expanding = []
        self.document = nil
        return root
    }

    /// Adds `document`'s rules like ``addSchema(_:named:)``, its problems reported as one
    /// error that says where the schema sits (`context`: "the parameters of the tool …").
    mutating func addSchema(_ document: SchemaDocument, named name: String, context: String) -> RuleID {
        let before = errors.count
        let rule = addSchema(document, named: name)
        if errors.count > before {
            let own = Array(errors[before...])
            errors.removeLast(own.count)
            report(.inSchema(context: context, error: GrammarCompileError(errors: own)))
        }
        return rule
    }

    /// Adds a rule of the caller's own (used by the tree grammar builder, which shares the
    /// JSON building blocks with the schemas).
    public mutating func addRule(named name: String, body: GrammarExpression = .empty) -> RuleID {
        grammar.addRule(named: name, body: body)
    }

    public mutating func setBody(_ body: GrammarExpression, of rule: RuleID) {
        grammar.setBody(body, of: rule)
    }

    public mutating func setBudgetLimit(_ limit: Int?) {
        grammar.budgetLimit = limit
    }

    public mutating func setRoot(_ rule: RuleID) {
        grammar.root = rule
    }

    /// Records a problem found by the caller.
    public mutating func report(_ error: GrammarError) {
        errors.append(error)
    }

    /// The grammar and its post-checks, or every problem found.
    public func finish() throws(GrammarCompileError) -> SchemaGrammar {
        if !errors.isEmpty { throw GrammarCompileError(errors: errors) }
        var finished = grammar
        if recursionWasCut {
            finished.pruneDeadEnds()
            guard finished.rootIsProductive else {
                throw GrammarCompileError(errors: [.unsatisfiable(pointer: JSONPointer(), reason: "every value recurses deeper than the recursion limit of \(options.maximumRecursionDepth) (SchemaGrammarOptions.maximumRecursionDepth)")])
            }
        }
        return SchemaGrammar(grammar: finished, postChecks: postChecks)
    }

    // MARK: Dispatch

    /// How deep `$ref`/`allOf` merging may nest before it is treated as a cycle.
    static let maximumMergeDepth = 32

    mutating func expression(for schema: JSONSchema, depth: Int) -> GrammarExpression {
        switch schema {
        case .boolean(true, _):
            return .rule(jsonValueRule)
        case .boolean(false, let location):
            errors.append(.unsatisfiable(pointer: location, reason: "the schema is `false`"))
            return .empty
        case .node(let node):
            return expression(for: node, depth: depth)
        }
    }

    mutating func expression(for original: SchemaNode, depth: Int) -> GrammarExpression {
        guard depth < Self.maximumMergeDepth else {
            errors.append(.unsupportedSchema(pointer: original.location, reason: "$ref/allOf nest too deeply to merge"))
            return .empty
        }
        var node = original
        if let branches = node.allOf {
            node.allOf = nil
            for branch in branches {
                guard let merged = mergeBranch(branch, into: node, depth: depth) else { return .empty }
                node = merged
            }
        }
        if let reference = node.reference {
            var rest = node
            rest.reference = nil
            if rest.isUnconstrained { return ruleReference(for: reference.target) }
            guard let merged = mergeBranch(resolve(reference), into: rest, depth: depth) else { return .empty }
            return expression(for: merged, depth: depth + 1)
        }
        if let constant = node.constValue {
            if let values = node.enumValues, !values.contains(constant) {
                errors.append(.unsatisfiable(pointer: node.location, reason: "`const` is not among the `enum` values"))
            }
            return literal(constant)
        }
        if let values = node.enumValues {
            guard !values.isEmpty else {
                errors.append(.unsatisfiable(pointer: node.location, reason: "`enum` has no values"))
                return .empty
            }
            return .alternatives(values.map(literal))
        }
        if let branches = node.anyOf ?? node.oneOf {
            return alternatives(branches, of: node, depth: depth)
        }
        return typedExpression(for: node)
    }

    /// `anyOf`/`oneOf` with the node's other keywords merged into each branch.
    private mutating func alternatives(_ branches: [JSONSchema], of node: SchemaNode, depth: Int) -> GrammarExpression {
        var rest = node
        let keyword = node.anyOf != nil ? "anyOf" : "oneOf"
        if node.anyOf != nil { rest.anyOf = nil } else { rest.oneOf = nil }
        if node.anyOf != nil, node.oneOf != nil {
            errors.append(.unsupportedSchema(pointer: node.location, reason: "`anyOf` and `oneOf` in one schema object are not supported"))
            return .empty
        }
        if keyword == "oneOf", branches.count > 1, !(document.map { OneOfExclusivity(document: $0).branchesAreExclusive(branches) } ?? false) {
            postChecks.append(PostCheck(pointer: node.location, keyword: "oneOf"))
        }
        var options: [GrammarExpression] = []
        for branch in branches {
            if case .boolean(false, _) = branch { continue }
            if rest.isUnconstrained {
                options.append(expression(for: branch, depth: depth + 1))
            } else if let merged = mergeBranch(branch, into: rest, depth: depth) {
                options.append(expression(for: merged, depth: depth + 1))
            }
        }
        guard !options.isEmpty else {
            errors.append(.unsatisfiable(pointer: node.location.appending(keyword), reason: "every alternative is `false`"))
            return .empty
        }
        return .alternatives(options)
    }

    /// `branch` merged into `node`, with the branch's own `$ref` resolved first.
    private mutating func mergeBranch(_ branch: JSONSchema, into node: SchemaNode, depth: Int) -> SchemaNode? {
        switch branch {
        case .boolean(true, _):
            return node
        case .boolean(false, let location):
            errors.append(.unsatisfiable(pointer: location, reason: "an `allOf` branch is `false`"))
            return nil
        case .node(var other):
            if let reference = other.reference {
                guard depth < Self.maximumMergeDepth else {
                    errors.append(.unsupportedSchema(pointer: other.location, reason: "$ref chains nest too deeply to merge"))
                    return nil
                }
                other.reference = nil
                guard let target = mergeBranch(resolve(reference), into: other, depth: depth + 1) else { return nil }
                other = target
            }
            if let nested = other.allOf {
                other.allOf = nil
                for inner in nested {
                    guard let merged = mergeBranch(inner, into: other, depth: depth + 1) else { return nil }
                    other = merged
                }
            }
            switch SchemaMerge.merge(node, other) {
            case .success(let merged):
                return merged
            case .failure(let failure):
                errors.append(.unsupportedSchema(
                    pointer: other.location,
                    reason: "the keywords \(failure.keywords.map { "`\($0)`" }.joined(separator: ", ")) appear in more than one combined schema (allOf/$ref/anyOf siblings) with different values, which Arbor cannot merge"))
                return nil
            }
        }
    }

    private func resolve(_ reference: SchemaReference) -> JSONSchema {
        guard let document else { preconditionFailure("a document is being compiled") }
        return document.resolve(reference)
    }

    /// A reference to the rule of the `$ref` target at `location`, or ``GrammarExpression/nothing``
    /// where recursion is past ``SchemaGrammarOptions/maximumRecursionDepth``.
    ///
    /// A target gets one rule per recursion level: while the rule of `location` at level k is
    /// being built, a `$ref` back to `location` gets the rule at level k + 1. Past the limit
    /// the reference matches nothing, and ``finish()`` prunes the alternatives leading there.
    private mutating func ruleReference(for location: JSONPointer) -> GrammarExpression {
        let level = expanding.filter { $0 == location }.count
        guard level <= options.maximumRecursionDepth else {
            recursionWasCut = true
            return .nothing
        }
        let key = TargetLevel(location: location, level: level)
        if let existing = ruleForTarget[key] { return .rule(existing) }
        let name = ([prefix] + location.tokens).joined(separator: "-") + (level > 0 ? "-depth-\(level)" : "")
        let id = grammar.addRule(named: name)
        ruleForTarget[key] = id
        guard let target = document?.schema(at: location) else { preconditionFailure("compiled documents resolve every $ref") }
        expanding.append(location)
        grammar.setBody(expression(for: target, depth: 0), of: id)
        expanding.removeLast()
        return .rule(id)
    }

    /// The exact compact JSON text of `value`.
    func literal(_ value: JSONValue) -> GrammarExpression {
        .literal(value.compactString)
    }

    /// One alternative per allowed type, each with the node's keywords for that type.
    private mutating func typedExpression(for node: SchemaNode) -> GrammarExpression {
        var types = node.types ?? SchemaType.allCases
        if types.contains(.number) { types.removeAll { $0 == .integer } }
        guard !types.isEmpty else {
            errors.append(.unsatisfiable(pointer: node.location, reason: "the combined `type` lists have no type in common"))
            return .empty
        }
        return .alternatives(types.map { type in
            switch type {
            case .null: return .literal("null")
            case .boolean: return .choice([.literal("true"), .literal("false")])
            case .integer: return integerExpression(node)
            case .number: return numberExpression(node)
            case .string: return stringExpression(node)
            case .array: return arrayExpression(node)
            case .object: return objectExpression(node)
            }
        })
    }
}
