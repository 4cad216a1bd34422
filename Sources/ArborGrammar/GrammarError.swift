import ArborSchema

/// Why a schema, a workflow description or a grammar could not be compiled.
///
/// Every case says where: a JSON pointer into the schema, a tool name, or a rule name.
/// Builders collect every problem they find before throwing ``GrammarCompileError``.
public enum GrammarError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A schema feature the grammar compiler cannot turn into a grammar.
    case unsupportedSchema(pointer: JSONPointer, reason: String)
    /// A regex (`pattern` or `format`) whose automaton could not be built.
    case invalidPattern(pointer: JSONPointer, pattern: String, reason: String)
    /// A schema no value can satisfy (e.g. `false`, or an empty type intersection).
    case unsatisfiable(pointer: JSONPointer, reason: String)
    /// A problem in the workflow description given to ``TreeGrammarBuilder``.
    case invalidWorkflow(reason: String)
    /// A rule that can reach itself without reading a byte; matching it would never end.
    case leftRecursion(rule: String)
    /// A hand-built grammar that cannot be compiled (an undefined rule, a repetition with
    /// impossible bounds).
    case invalidGrammar(rule: String, reason: String)
    /// A tool parameter or output schema failed; `context` names it.
    case inSchema(context: String, error: GrammarCompileError)

    public var description: String {
        switch self {
        case let .unsupportedSchema(pointer, reason):
            return "\(pointer.displayString): \(reason); simplify this part of the schema."
        case let .invalidPattern(pointer, pattern, reason):
            return "\(pointer.displayString): the pattern \"\(pattern)\" cannot be turned into a grammar: \(reason)."
        case let .unsatisfiable(pointer, reason):
            return "\(pointer.displayString): no JSON value satisfies this schema (\(reason)); fix the schema."
        case let .invalidWorkflow(reason):
            return "The workflow cannot be compiled into a reasoning-tree grammar: \(reason)."
        case let .leftRecursion(rule):
            return "The rule `\(rule)` can refer back to itself before reading any text; rewrite it so that some text comes first."
        case let .invalidGrammar(rule, reason):
            return "The rule `\(rule)` cannot be compiled: \(reason)."
        case let .inSchema(context, error):
            return "In \(context): " + error.errors.map(\.description).joined(separator: " ")
        }
    }
}

/// Every problem found while building or compiling one grammar.
public struct GrammarCompileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var errors: [GrammarError]

    public init(errors: [GrammarError]) {
        self.errors = errors
    }

    public var description: String {
        let heading = errors.count == 1 ? "The grammar has 1 error:" : "The grammar has \(errors.count) errors:"
        return ([heading] + errors.map { "  " + $0.description }).joined(separator: "\n")
    }
}
