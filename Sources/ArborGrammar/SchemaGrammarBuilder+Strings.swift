import ArborSchema

/// Strings: plain, length-bounded, or shaped by a `pattern`/`format` automaton.
extension SchemaGrammarBuilder {
    /// The longest `maxLength` unrolled into the grammar; a larger bound is a post-check.
    static let maximumUnrolledLength = 2048
    /// The most (automaton state, length) pairs a `pattern`/`format` with a length bound
    /// compiles to; a larger product leaves the length to a post-check.
    public static let maximumCountedPatternStates = 32_768

    mutating func stringExpression(_ node: SchemaNode) -> GrammarExpression {
        if node.pattern != nil || node.format != nil {
            return patternString(node)
        }
        let minimum = node.minLength ?? 0
        var maximum = node.maxLength ?? defaultMaximumStringLength.map { max($0, minimum) }
        if let bound = maximum, bound > Self.maximumUnrolledLength {
            postChecks.append(PostCheck(pointer: node.location, keyword: "maxLength"))
            maximum = nil
        }
        if minimum > Self.maximumUnrolledLength {
            errors.append(.unsupportedSchema(pointer: node.location, reason: "`minLength` above \(Self.maximumUnrolledLength) cannot be compiled into a grammar"))
            return .empty
        }
        if let maximum, maximum < minimum {
            errors.append(.unsatisfiable(pointer: node.location, reason: "`maxLength` is below `minLength`"))
            return .empty
        }
        if minimum == 0 && maximum == nil { return .rule(jsonStringRule) }
        return .concatenation([.literal("\""), .repetition(.rule(jsonCharRule), min: minimum, max: maximum), .literal("\"")])
    }

    /// A string whose decoded value the pattern's (or format's) search DFA accepts.
    private mutating func patternString(_ node: SchemaNode) -> GrammarExpression {
        if node.pattern != nil, node.format != nil {
            errors.append(.unsupportedSchema(pointer: node.location, reason: "`pattern` and `format` together are not supported; keep one"))
            return .empty
        }
        let regex: RegexPattern
        let keyword: String
        if let pattern = node.pattern {
            regex = pattern
            keyword = "pattern"
        } else {
            let format = FormatGrammar.regex(for: node.format!)
            regex = format.pattern
            keyword = "format"
            if !format.exact { postChecks.append(PostCheck(pointer: node.location, keyword: "format")) }
        }
        let dfa: RegexDFA
        do {
            dfa = try regex.dfa(mode: .search)
        } catch {
            errors.append(.invalidPattern(pointer: node.location.appending(keyword), pattern: regex.source, reason: error.description))
            return .empty
        }
        let name = ([prefix] + node.location.tokens + [keyword]).joined(separator: "-")
        let minimum = node.minLength ?? 0
        // A tool string without `maxLength` takes the default bound, counted the same way;
        // when that product is too large, or the pattern needs longer strings, it keeps only
        // its pattern (no post-check: the default guards against runaway arguments, it is not
        // part of the schema).
        if node.maxLength == nil, let bound = defaultMaximumStringLength.map({ max($0, minimum) }),
           let counted = CountedAutomaton(dfa, minimum: minimum, maximum: bound, stateLimit: Self.maximumCountedPatternStates),
           !counted.states.isEmpty {
            return countedString(counted, key: "pattern:\(regex.source)#\(minimum)-\(bound)", named: name)
        }
        if minimum > 0 || node.maxLength != nil {
            if let counted = CountedAutomaton(dfa, minimum: minimum, maximum: node.maxLength, stateLimit: Self.maximumCountedPatternStates) {
                guard !counted.states.isEmpty else {
                    errors.append(.unsatisfiable(pointer: node.location, reason: "no string of the allowed length matches the `\(keyword)`"))
                    return .empty
                }
                return countedString(counted, key: "pattern:\(regex.source)#\(minimum)-\(node.maxLength.map(String.init) ?? "")", named: name)
            }
            if node.minLength != nil { postChecks.append(PostCheck(pointer: node.location, keyword: "minLength")) }
            if node.maxLength != nil { postChecks.append(PostCheck(pointer: node.location, keyword: "maxLength")) }
        }
        let cacheKey = "pattern:" + regex.source
        let start = sharedRules[cacheKey] ?? addAutomatonRules(dfa.states, start: dfa.start, named: name)
        sharedRules[cacheKey] = start
        return .concatenation([.literal("\""), .rule(start), .literal("\"")])
    }

    /// A string shaped by a counted automaton, its rules shared by every string with the same
    /// pattern and bounds.
    private mutating func countedString(_ counted: CountedAutomaton, key: String, named name: String) -> GrammarExpression {
        let start = sharedRules[key] ?? addAutomatonRules(counted.states, start: 0, named: name + "-counted")
        sharedRules[key] = start
        return .concatenation([.literal("\""), .rule(start), .literal("\"")])
    }

    /// One right-linear rule per DFA state (`state ::= class next-state | …`), JSON-escaped.
    /// The matcher treats the trailing rule reference as a tail call, so a long string does
    /// not grow the parse stack.
    private mutating func addAutomatonRules(_ states: [RegexDFA.State], start: Int, named name: String) -> RuleID {
        let rules = states.indices.map { grammar.addRule(named: "\(name)-\($0)") }
        for (index, state) in states.enumerated() {
            var options: [GrammarExpression] = []
            for transition in state.transitions {
                let set = ScalarRangeSet(ranges: [transition.range])
                for encoded in Self.jsonEncoded(set) {
                    options.append(.concatenation([encoded, .rule(rules[transition.target])]))
                }
            }
            if state.isAccepting { options.append(.empty) }
            grammar.setBody(options.isEmpty ? .empty : .choice(options), of: rules[index])
        }
        return rules[start]
    }

    /// The ways to write one scalar of `set` inside a JSON string: unescaped where JSON
    /// allows, `\"` and `\\`, short escapes for controls that have one, `\u00XX` otherwise.
    static func jsonEncoded(_ set: ScalarRangeSet) -> [GrammarExpression] {
        let mustEscape = ScalarRangeSet(ranges: [0x00...0x1F, 0x22...0x22, 0x5C...0x5C])
        let plain = ScalarRangeSet(ranges: set.ranges.flatMap { range in
            mustEscape.inverted.ranges.compactMap { allowed -> ClosedRange<UInt32>? in
                let low = max(range.lowerBound, allowed.lowerBound)
                let high = min(range.upperBound, allowed.upperBound)
                return low <= high ? low...high : nil
            }
        })
        var result: [GrammarExpression] = plain.isEmpty ? [] : [.scalars(plain)]
        if set.contains(0x22) { result.append(.literal("\\\"")) }
        if set.contains(0x5C) { result.append(.literal("\\\\")) }
        let short: [UInt32: String] = [0x08: "b", 0x09: "t", 0x0A: "n", 0x0C: "f", 0x0D: "r"]
        let controls = (0...0x1F).filter { set.contains(UInt32($0)) }
        for control in controls {
            if let letter = short[UInt32(control)] {
                result.append(.literal("\\" + letter))
            } else {
                let hex = String(control, radix: 16)
                result.append(.literal("\\u00" + (hex.count == 1 ? "0" : "") + hex))
            }
        }
        return result
    }
}
