/// The index of a rule in its ``Grammar``.
public struct RuleID: Sendable, Hashable, Comparable {
    public let index: Int

    public init(_ index: Int) {
        self.index = index
    }

    public static func < (lhs: RuleID, rhs: RuleID) -> Bool { lhs.index < rhs.index }
}

/// A named rule: `name ::= body`.
public struct GrammarRule: Sendable, Hashable {
    /// Unique in its grammar; letters, digits and `-` only, so it prints as GBNF.
    public var name: String
    public var body: GrammarExpression
}

/// A context-free grammar over bytes with named rules — the first of the three grammar
/// stages (``Grammar`` → ``CompiledGrammar`` → ``GrammarMatcher``).
///
/// Rules may refer to each other and to themselves (recursive schemas), but not
/// left-recursively: compiling rejects a rule that can reach itself without reading a byte.
///
/// ```swift
/// var grammar = Grammar()
/// let digit = grammar.addRule(named: "digit", body: .byteRanges([0x30...0x39]))
/// let root = grammar.addRule(named: "root", body: .repetition(.rule(digit), min: 1, max: 3))
/// grammar.root = root
/// grammar.gbnf  // "root ::= digit{1,3}\ndigit ::= [0-9]\n"
/// ```
public struct Grammar: Sendable, Hashable {
    public private(set) var rules: [GrammarRule] = []
    /// The start rule; the first rule added unless set.
    public var root = RuleID(0)
    /// How many times ``GrammarExpression/budgeted(_:)`` parts may be entered in total;
    /// `nil` means no limit.
    public var budgetLimit: Int?
    private var ruleByName: [String: RuleID] = [:]

    public init() {}

    /// Adds a rule; a name already in use gets a numeric suffix, so the returned id is the
    /// way to refer to it.
    @discardableResult
    public mutating func addRule(named name: String, body: GrammarExpression = .empty) -> RuleID {
        let base = Self.sanitise(name)
        var unique = base
        var suffix = 2
        while ruleByName[unique] != nil {
            unique = "\(base)-\(suffix)"
            suffix += 1
        }
        let id = RuleID(rules.count)
        rules.append(GrammarRule(name: unique, body: body))
        ruleByName[unique] = id
        return id
    }

    /// Replaces the body of `rule` (rules are often declared before their body is known,
    /// so that recursive references can point at them).
    public mutating func setBody(_ body: GrammarExpression, of rule: RuleID) {
        rules[rule.index].body = body
    }

    public subscript(rule: RuleID) -> GrammarRule { rules[rule.index] }

    /// The rule called `name`, if any.
    public func rule(named name: String) -> RuleID? { ruleByName[name] }

    /// Lowercase letters, digits and `-`: what GBNF allows in a rule name.
    static func sanitise(_ name: String) -> String {
        var result = ""
        for scalar in name.unicodeScalars {
            if scalar.properties.isAlphabetic && scalar.isASCII || ("0"..."9").contains(scalar) {
                result.unicodeScalars.append(scalar)
            } else if !result.isEmpty && !result.hasSuffix("-") {
                result += "-"
            }
        }
        while result.hasSuffix("-") { result.removeLast() }
        return result.isEmpty ? "rule" : result
    }
}
