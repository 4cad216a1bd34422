import ArborSchema

/// One expression of a ``Grammar`` rule body.
///
/// Terminals are either bytes (``bytes(_:)``, ``byteRanges(_:)``) or Unicode scalars
/// (``scalars(_:)``), which the compiled automaton lowers to UTF-8 byte sequences; keeping
/// scalar classes in the IR is what lets the grammar print as readable GBNF.
///
/// ```swift
/// let digits: GrammarExpression = .repetition(.byteRanges([0x30...0x39]), min: 1, max: nil)
/// let signed: GrammarExpression = .sequence([.optional(.literal("-")), digits])
/// ```
public indirect enum GrammarExpression: Sendable, Hashable {
    /// Matches the empty string.
    case empty
    /// Exactly these bytes.
    case bytes([UInt8])
    /// One byte in any of the ranges.
    case byteRanges([ClosedRange<UInt8>])
    /// One Unicode scalar in the set, written as UTF-8.
    case scalars(ScalarRangeSet)
    /// Each part in order.
    case sequence([GrammarExpression])
    /// Any one of the alternatives.
    case choice([GrammarExpression])
    /// `body` repeated between `min` and `max` times (`nil`: unbounded).
    case repetition(GrammarExpression, min: Int, max: Int?)
    /// The body of another rule.
    case rule(RuleID)
    /// A place the runtime fills with arbitrary JSON text (a tool's result); the matcher
    /// stops there and reports it. `name` says what belongs there, e.g. `tool_result`.
    case hole(name: String)
    /// `body`, entered at most ``Grammar/budgetLimit`` times over the whole text. A
    /// context-free grammar cannot count cheaply, so the matcher keeps the count (the tree
    /// grammar uses it for the tool-call limit).
    case budgeted(GrammarExpression)

    /// The UTF-8 bytes of `text`.
    public static func literal(_ text: String) -> GrammarExpression { .bytes(Array(text.utf8)) }

    /// `body` or nothing.
    public static func optional(_ body: GrammarExpression) -> GrammarExpression { .repetition(body, min: 0, max: 1) }

    /// `body` zero or more times.
    public static func star(_ body: GrammarExpression) -> GrammarExpression { .repetition(body, min: 0, max: nil) }

    /// `body` one or more times.
    public static func plus(_ body: GrammarExpression) -> GrammarExpression { .repetition(body, min: 1, max: nil) }

    /// A sequence with empty parts dropped and nested sequences and adjacent literals merged.
    public static func concatenation(_ parts: [GrammarExpression]) -> GrammarExpression {
        var flat: [GrammarExpression] = []
        func add(_ part: GrammarExpression) {
            switch part {
            case .empty: return
            case .sequence(let inner): inner.forEach(add)
            case .bytes(let tail):
                if case .bytes(let head)? = flat.last {
                    flat[flat.count - 1] = .bytes(head + tail)
                } else {
                    flat.append(part)
                }
            default: flat.append(part)
            }
        }
        parts.forEach(add)
        switch flat.count {
        case 0: return .empty
        case 1: return flat[0]
        default: return .sequence(flat)
        }
    }

    /// A choice with nested choices flattened and duplicate alternatives removed.
    public static func alternatives(_ options: [GrammarExpression]) -> GrammarExpression {
        var flat: [GrammarExpression] = []
        func add(_ option: GrammarExpression) {
            if case .choice(let inner) = option { inner.forEach(add) } else if !flat.contains(option) { flat.append(option) }
        }
        options.forEach(add)
        return flat.count == 1 ? flat[0] : .choice(flat)
    }
}
