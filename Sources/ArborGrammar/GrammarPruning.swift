/// Removes the parts of a grammar that can never finish: a rule is *productive* when it
/// derives at least one finite sentence, and a choice keeps only its productive options.
///
/// Bounding recursion (``SchemaGrammarOptions/maximumRecursionDepth``) leaves the deepest
/// copy of a recursive rule with no sentence (``GrammarExpression/nothing``); pruning then
/// drops the alternatives that lead into it — the `tail` of a list becomes `null`, a tree's
/// `children` become optional-and-absent — so the matcher never enters a dead end that a
/// model could not leave.
///
/// ```swift
/// grammar.pruneDeadEnds()   // throws nothing; the root may become `nothing` if it cannot finish
/// ```
extension Grammar {
    mutating func pruneDeadEnds() {
        let productive = productiveRules()
        for index in rules.indices {
            let body = productive[index] ? Self.pruned(rules[index].body, productive) : GrammarExpression.nothing
            setBody(body, of: RuleID(index))
        }
    }

    /// Whether the root rule derives some finite sentence.
    var rootIsProductive: Bool { productiveRules()[root.index] }

    /// A least fixpoint: a rule is productive once its body is, given the rules found so far.
    func productiveRules() -> [Bool] {
        var productive = [Bool](repeating: false, count: rules.count)
        var changed = true
        while changed {
            changed = false
            for index in rules.indices where !productive[index] && Self.isProductive(rules[index].body, productive) {
                productive[index] = true
                changed = true
            }
        }
        return productive
    }

    static func isProductive(_ expression: GrammarExpression, _ productive: [Bool]) -> Bool {
        switch expression {
        case .empty, .bytes, .hole: return true
        case .byteRanges(let ranges): return !ranges.isEmpty
        case .scalars(let set): return !set.isEmpty
        case .sequence(let parts): return parts.allSatisfy { isProductive($0, productive) }
        case .choice(let options): return options.contains { isProductive($0, productive) }
        case let .repetition(body, minimum, _): return minimum == 0 || isProductive(body, productive)
        case .rule(let id): return productive[id.index]
        case .budgeted(let body): return isProductive(body, productive)
        }
    }

    private static func pruned(_ expression: GrammarExpression, _ productive: [Bool]) -> GrammarExpression {
        guard isProductive(expression, productive) else { return .nothing }
        switch expression {
        case .sequence(let parts):
            return .concatenation(parts.map { pruned($0, productive) })
        case .choice(let options):
            return .choice(options.filter { isProductive($0, productive) }.map { pruned($0, productive) })
        case let .repetition(body, minimum, maximum):
            // Only `minimum == 0` can reach here with a dead body: then it is nothing at all.
            return isProductive(body, productive) ? .repetition(pruned(body, productive), min: minimum, max: maximum) : .empty
        case .budgeted(let body):
            return .budgeted(pruned(body, productive))
        default:
            return expression
        }
    }
}

extension GrammarExpression {
    /// Matches nothing at all (an empty choice): what a rule becomes when it cannot finish.
    public static var nothing: GrammarExpression { .choice([]) }
}
