import ArborGrammar
import ArborSchema

/// Generates random sentences of a grammar by walking its expressions with a seeded
/// generator — a stand-in for a model sampling under the grammar.
///
/// Repetitions pick small counts and, past a nesting depth, the fewest allowed; choices
/// past that depth pick the alternative with the shortest derivation, so recursive
/// grammars terminate. Holes are filled with `holeText`.
struct GrammarSampler {
    let grammar: Grammar
    var generator: SeededGenerator
    var holeText = Array(#"{"ok":true}"#.utf8)
    /// Past this rule depth, take the shortest way out.
    var depthLimit = 6
    private var shortest: [Int]
    /// Budgeted parts entered so far; once the grammar's limit is reached, optional
    /// budgeted parts are left out, as the matcher requires.
    private var budgetUsed = 0

    init(_ grammar: Grammar, seed: UInt64) {
        self.grammar = grammar
        generator = SeededGenerator(seed: seed)
        shortest = Self.shortestLengths(grammar)
    }

    mutating func sample() -> [UInt8] {
        var output: [UInt8] = []
        emit(.rule(grammar.root), depth: 0, into: &output)
        return output
    }

    private mutating func emit(_ expression: GrammarExpression, depth: Int, into output: inout [UInt8]) {
        switch expression {
        case .empty: break
        case .bytes(let bytes): output += bytes
        case .byteRanges(let ranges):
            let range = ranges.randomElement(using: &generator)!
            output.append(UInt8.random(in: range, using: &generator))
        case .scalars(let set):
            output += Array(String(randomScalar(set)).utf8)
        case .sequence(let parts):
            for part in parts { emit(part, depth: depth, into: &output) }
        case .choice(let options):
            if depth >= depthLimit {
                let best = options.min { Self.length($0, shortest) < Self.length($1, shortest) }!
                emit(best, depth: depth, into: &output)
            } else {
                emit(options.randomElement(using: &generator)!, depth: depth, into: &output)
            }
        case let .repetition(body, minimum, maximum):
            var count = minimum
            if depth < depthLimit {
                let upper = min(maximum ?? minimum + 4, minimum + 4)
                count = Int.random(in: minimum...upper, using: &generator)
            }
            if case .budgeted = body, let limit = grammar.budgetLimit, budgetUsed >= limit { count = minimum }
            for _ in 0..<count { emit(body, depth: depth + 1, into: &output) }
        case .rule(let id):
            emit(grammar[id].body, depth: depth + 1, into: &output)
        case .hole:
            output += holeText
        case .budgeted(let body):
            budgetUsed += 1
            emit(body, depth: depth, into: &output)
        }
    }

    private mutating func randomScalar(_ set: ScalarRangeSet) -> Unicode.Scalar {
        // Favour ASCII and small code points so texts stay readable, but reach every range.
        let range = set.ranges.randomElement(using: &generator)!
        while true {
            let value = UInt32.random(in: range, using: &generator)
            if let scalar = Unicode.Scalar(value) { return scalar }
        }
    }

    /// The least number of bytes each rule can produce (a fixpoint over the rules).
    static func shortestLengths(_ grammar: Grammar) -> [Int] {
        var lengths = [Int](repeating: Int.max / 4, count: grammar.rules.count)
        var changed = true
        while changed {
            changed = false
            for (index, rule) in grammar.rules.enumerated() {
                let length = Self.length(rule.body, lengths)
                if length < lengths[index] {
                    lengths[index] = length
                    changed = true
                }
            }
        }
        return lengths
    }

    static func length(_ expression: GrammarExpression, _ lengths: [Int]) -> Int {
        switch expression {
        case .empty: return 0
        case .bytes(let bytes): return bytes.count
        case .byteRanges, .scalars: return 1
        case .sequence(let parts): return parts.reduce(0) { min(Int.max / 4, $0 + length($1, lengths)) }
        case .choice(let options): return options.map { length($0, lengths) }.min() ?? 0
        case let .repetition(body, minimum, _):
            let product = length(body, lengths).multipliedReportingOverflow(by: minimum)
            return product.overflow ? Int.max / 4 : min(Int.max / 4, product.partialValue)
        case .rule(let id): return lengths[id.index]
        case .hole: return 2
        case .budgeted(let body): return length(body, lengths)
        }
    }
}
