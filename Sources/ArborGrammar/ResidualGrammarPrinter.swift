/// Why the rest of a grammar from a matcher state cannot be printed as GBNF.
public enum ResidualGrammarError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text so far ends inside a UTF-8 character; GBNF's terminals are whole characters.
    case insideCharacter
    /// Some edge reads bytes that are not whole UTF-8 characters (raw bytes ≥ 0x80).
    case notCharacters(node: Int)
    /// No text can follow the state (the grammar is finished or the state is dead).
    case nothingLeft

    public var description: String {
        switch self {
        case .insideCharacter: return "the text so far ends inside a UTF-8 character, which GBNF cannot continue"
        case .notCharacters(let node): return "grammar node \(node) reads bytes that are not whole UTF-8 characters"
        case .nothingLeft: return "the grammar allows no more text here"
        }
    }
}

extension GrammarMatcher {
    /// The rest of the grammar from the current state up to its next hole or its end, as
    /// llama.cpp GBNF: the language of texts that either complete the grammar from here
    /// without passing a hole, or end exactly where the next hole starts.
    ///
    /// A remote server decoding under this grammar stops by itself at the hole (its grammar
    /// is complete there), so the runtime can fill the hole and send the next segment.
    /// Budgeted parts cannot be counted in GBNF: a path whose budget is spent prints without
    /// them, and otherwise they print as their body — the matcher enforces the budget on
    /// the tokens that come back.
    ///
    /// ```swift
    /// _ = matcher.acceptText(Array(#"{"reasoning":["#.utf8))
    /// let gbnf = try matcher.residualGBNF()   // root ::= "{\"thought\":\"" f412 | …
    /// ```
    public func residualGBNF() throws(ResidualGrammarError) -> String {
        guard !isTerminated else { throw .nothingLeft }
        var printer = ResidualGrammarPrinter(automaton: compiled.automaton, frames: frames)
        return try printer.print(current)
    }
}

/// Prints a ``ParseState``'s residual language (see ``GrammarMatcher/residualGBNF()``).
///
/// Each automaton node `n` reached gets up to two rules: `fN`, the texts from `n` to its
/// rule's end that pass no hole, and `hN`, the texts from `n` that end at a hole (inside
/// `n`'s rule or a rule it calls). A return frame `k` of the parse stack gets `kK ::= fR kP |
/// hR` (R its return node, P the frame below), and `root` is the alternation, over the
/// state's configurations at node `n` on frame `k`, of `fN kK | hN`. Epsilon edges are
/// closed over when printing, so only nodes a byte or a call leads to get rules, and a
/// chain of single characters prints as one literal.
struct ResidualGrammarPrinter {
    let automaton: GrammarAutomaton
    let frames: FrameTable

    /// A node on a path whose tool-call budget is spent (its budgeted edges are closed) or not.
    struct Key: Hashable {
        var node: Int32
        var spent: Bool
    }

    /// What a node leads to once its epsilon (and open budgeted) edges are followed.
    struct Closure {
        /// Whole characters read, as code point ranges, and the node after each.
        var edges: [(range: ClosedRange<UInt32>, target: Int32)] = []
        var calls: [GrammarAutomaton.CallEdge] = []
        var isFinal = false
        var hasHole = false
    }

    private enum Language { case full, toHole }

    private var closures: [Key: Closure] = [:]
    private var productiveFull: Set<Key> = []
    private var productiveToHole: Set<Key> = []
    private var productiveFrames: [Key: Bool] = [:]
    private var queued: Set<String> = []
    /// Rules referenced and not printed yet, in the order of first reference.
    private var work: [(name: String, rule: PendingRule)] = []

    private enum PendingRule {
        case node(Language, Key)
        case frame(Int32, spent: Bool)
    }

    init(automaton: GrammarAutomaton, frames: FrameTable) {
        self.automaton = automaton
        self.frames = frames
    }

    mutating func print(_ state: ParseState) throws(ResidualGrammarError) -> String {
        let seeds = state.configurations.map { ($0, isSpent($0)) }
        try computeProductive(from: seeds)
        var rootAlternatives: [String] = []
        for (configuration, spent) in seeds {
            let key = Key(node: configuration.node, spent: spent)
            if productiveFull.contains(key), frameIsProductive(configuration.frame, spent: spent) {
                let rest = configuration.frame == FrameTable.root ? "" : " " + frameRule(configuration.frame, spent: spent)
                rootAlternatives.append(reference(.full, key) + rest)
            }
            if productiveToHole.contains(key) { rootAlternatives.append(reference(.toHole, key)) }
        }
        if state.isComplete { rootAlternatives.append("\"\"") }
        rootAlternatives = Self.unique(rootAlternatives)
        guard !rootAlternatives.isEmpty else { throw .nothingLeft }
        var lines = ["root ::= " + rootAlternatives.joined(separator: " | ")]
        var index = 0
        while index < work.count {
            let (name, rule) = work[index]
            let body: [String]
            switch rule {
            case let .node(language, key): body = alternatives(language, key)
            case let .frame(frame, spent): body = frameAlternatives(frame, spent: spent)
            }
            lines.append("\(name) ::= " + body.joined(separator: " | "))
            index += 1
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func isSpent(_ configuration: ParseConfiguration) -> Bool {
        automaton.budgetLimit.map { Int(configuration.budgetUsed) >= $0 } ?? false
    }

    // MARK: Closures

    private mutating func closure(_ key: Key) throws(ResidualGrammarError) -> Closure {
        if let known = closures[key] { return known }
        var result = Closure()
        var seen: Set<Int32> = [key.node]
        var stack = [key.node]
        while let node = stack.popLast() {
            let current = automaton.nodes[Int(node)]
            for edge in current.byteEdges { try characters(from: edge, into: &result.edges) }
            result.calls += current.calls
            result.isFinal = result.isFinal || current.isFinal
            result.hasHole = result.hasHole || current.hole != nil
            for next in current.epsilons + (key.spent ? [] : current.budgeted) where seen.insert(next).inserted {
                stack.append(next)
            }
        }
        closures[key] = result
        return result
    }

    /// The characters `edge` starts: itself when ASCII, else every byte path of a whole UTF-8
    /// character through the continuation nodes after it (built by ``UTF8Sequences``, each
    /// path is one contiguous code point range).
    private func characters(from edge: GrammarAutomaton.ByteEdge,
                            into edges: inout [(range: ClosedRange<UInt32>, target: Int32)]) throws(ResidualGrammarError) {
        if edge.high < 0x80 {
            edges.append((UInt32(edge.low)...UInt32(edge.high), edge.target))
            return
        }
        guard edge.low >= 0xC0 else { throw .insideCharacter }
        let length = Self.sequenceLength(edge.low)
        guard length > 1, Self.sequenceLength(edge.high) == length else { throw .notCharacters(node: Int(edge.target)) }
        func follow(_ node: Int32, lows: [UInt8], highs: [UInt8]) throws(ResidualGrammarError) {
            if lows.count == length {
                edges.append((Self.decode(lows)...Self.decode(highs), node))
                return
            }
            let current = automaton.nodes[Int(node)]
            guard current.epsilons.isEmpty, current.calls.isEmpty, current.budgeted.isEmpty, current.hole == nil, !current.isFinal else {
                throw .notCharacters(node: Int(node))
            }
            for next in current.byteEdges {
                guard next.low >= 0x80, next.high <= 0xBF else { throw .notCharacters(node: Int(node)) }
                try follow(next.target, lows: lows + [next.low], highs: highs + [next.high])
            }
        }
        try follow(edge.target, lows: [edge.low], highs: [edge.high])
    }

    private static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xC0...0xDF: return 2
        case 0xE0...0xEF: return 3
        case 0xF0...0xF7: return 4
        default: return 0
        }
    }

    private static func decode(_ bytes: [UInt8]) -> UInt32 {
        var value = UInt32(bytes[0]) & (0x7F >> UInt32(bytes.count))
        for byte in bytes.dropFirst() { value = value << 6 | UInt32(byte & 0x3F) }
        return value
    }

    // MARK: Which languages are non-empty

    /// Finds every node the seeds lead to and which of its two languages can be finished.
    private mutating func computeProductive(from seeds: [(ParseConfiguration, Bool)]) throws(ResidualGrammarError) {
        var seen: Set<Key> = []
        var order: [Key] = []
        var stack: [Key] = []
        func add(_ key: Key) {
            if seen.insert(key).inserted { stack.append(key); order.append(key) }
        }
        for (configuration, spent) in seeds {
            add(Key(node: configuration.node, spent: spent))
            var frame = configuration.frame
            while frame >= 0 {
                add(Key(node: frames[frame].returnNode, spent: spent))
                frame = frames[frame].parent
            }
        }
        while let key = stack.popLast() {
            let reach = try closure(key)
            for edge in reach.edges { add(Key(node: edge.target, spent: key.spent)) }
            for call in reach.calls {
                add(Key(node: automaton.ruleStart[Int(call.rule)], spent: key.spent))
                if let back = call.returnNode { add(Key(node: back, spent: key.spent)) }
            }
        }
        var changed = true
        while changed {
            changed = false
            for key in order {
                let reach = closures[key]!
                let spent = key.spent
                let ruleStart = automaton.ruleStart
                func start(_ call: GrammarAutomaton.CallEdge) -> Key { Key(node: ruleStart[Int(call.rule)], spent: spent) }
                if !productiveFull.contains(key),
                   reach.isFinal || reach.edges.contains(where: { productiveFull.contains(Key(node: $0.target, spent: key.spent)) })
                    || reach.calls.contains(where: { call in
                        productiveFull.contains(start(call)) && (call.returnNode.map { productiveFull.contains(Key(node: $0, spent: key.spent)) } ?? true)
                    }) {
                    productiveFull.insert(key)
                    changed = true
                }
                if !productiveToHole.contains(key),
                   reach.hasHole || reach.edges.contains(where: { productiveToHole.contains(Key(node: $0.target, spent: key.spent)) })
                    || reach.calls.contains(where: { call in
                        productiveToHole.contains(start(call))
                            || (productiveFull.contains(start(call)) && (call.returnNode.map { productiveToHole.contains(Key(node: $0, spent: key.spent)) } ?? false))
                    }) {
                    productiveToHole.insert(key)
                    changed = true
                }
            }
        }
    }

    private mutating func frameIsProductive(_ frame: Int32, spent: Bool) -> Bool {
        guard frame >= 0 else { return true }
        let key = Key(node: frame, spent: spent)
        if let known = productiveFrames[key] { return known }
        let back = Key(node: frames[frame].returnNode, spent: spent)
        let result = (productiveFull.contains(back) && frameIsProductive(frames[frame].parent, spent: spent))
            || productiveToHole.contains(back)
        productiveFrames[key] = result
        return result
    }

    // MARK: Rules

    private mutating func frameRule(_ frame: Int32, spent: Bool) -> String {
        let name = (spent ? "kx" : "k") + String(frame)
        if queued.insert(name).inserted { work.append((name, .frame(frame, spent: spent))) }
        return name
    }

    private mutating func frameAlternatives(_ frame: Int32, spent: Bool) -> [String] {
        let back = Key(node: frames[frame].returnNode, spent: spent)
        let parent = frames[frame].parent
        var alternatives: [String] = []
        if productiveFull.contains(back), frameIsProductive(parent, spent: spent) {
            alternatives.append(reference(.full, back) + (parent == FrameTable.root ? "" : " " + frameRule(parent, spent: spent)))
        }
        if productiveToHole.contains(back) { alternatives.append(reference(.toHole, back)) }
        return alternatives
    }

    /// The name of `key`'s rule in `language`, queued to be printed.
    private mutating func reference(_ language: Language, _ key: Key) -> String {
        let name = (language == .full ? "f" : "h") + (key.spent ? "x" : "") + String(key.node)
        if queued.insert(name).inserted { work.append((name, .node(language, key))) }
        return name
    }

    private func isProductive(_ language: Language, _ key: Key) -> Bool {
        language == .full ? productiveFull.contains(key) : productiveToHole.contains(key)
    }

    private mutating func alternatives(_ language: Language, _ key: Key) -> [String] {
        let reach = closures[key]!
        var result: [String] = []
        var targets: [Int32] = []
        var ranges: [Int32: [ClosedRange<UInt32>]] = [:]
        for edge in reach.edges where isProductive(language, Key(node: edge.target, spent: key.spent)) {
            if ranges[edge.target] == nil { targets.append(edge.target) }
            ranges[edge.target, default: []].append(edge.range)
        }
        for target in targets {
            let classes = Self.merged(ranges[target]!)
            if classes.count == 1, classes[0].lowerBound == classes[0].upperBound {
                result.append(literalChain(language, start: classes[0].lowerBound, then: Key(node: target, spent: key.spent)))
            } else {
                result.append(GBNFPrinter.characterClass(classes, negated: false) + " " + reference(language, Key(node: target, spent: key.spent)))
            }
        }
        for call in reach.calls {
            let start = Key(node: automaton.ruleStart[Int(call.rule)], spent: key.spent)
            let back = call.returnNode.map { Key(node: $0, spent: key.spent) }
            switch language {
            case .full:
                guard productiveFull.contains(start) else { continue }
                if let back {
                    if productiveFull.contains(back) { result.append(reference(.full, start) + " " + reference(.full, back)) }
                } else {
                    result.append(reference(.full, start))
                }
            case .toHole:
                if let back, productiveFull.contains(start), productiveToHole.contains(back) {
                    result.append(reference(.full, start) + " " + reference(.toHole, back))
                }
                if productiveToHole.contains(start) { result.append(reference(.toHole, start)) }
            }
        }
        if language == .full ? reach.isFinal : reach.hasHole { result.append("\"\"") }
        return Self.unique(result)
    }

    /// One character, then as many more as the nodes after it force one by one, as a literal,
    /// followed by the rule of the node where the chain branches.
    private mutating func literalChain(_ language: Language, start: UInt32, then first: Key) -> String {
        var scalars = [start]
        var key = first
        while scalars.count < 4096, let reach = closures[key], reach.calls.isEmpty, !reach.isFinal, !reach.hasHole,
              reach.edges.count == 1, reach.edges[0].range.count == 1 {
            scalars.append(reach.edges[0].range.lowerBound)
            key = Key(node: reach.edges[0].target, spent: key.spent)
        }
        var bytes: [UInt8] = []
        for value in scalars { bytes += Array(String(Unicode.Scalar(value).map(Character.init) ?? "\u{FFFD}").utf8) }
        return GBNFPrinter.literal(bytes) + " " + reference(language, key)
    }

    private static func merged(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var result: [ClosedRange<UInt32>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, range.lowerBound <= last.upperBound + 1 {
                result[result.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return result
    }

    private static func unique(_ items: [String]) -> [String] {
        var seen: Set<String> = []
        return items.filter { seen.insert($0).inserted }
    }
}
