/// Parses the ECMA-262 regular-expression subset that JSON Schema `pattern`s use.
///
/// Supported: literals and escapes (`\t \n \r \v \f \0 \cX \xHH \uHHHH \u{H…}`, escaped
/// punctuation), classes with ranges and negation, `\d \w \s \D \W \S`, `.`, the
/// quantifiers `* + ? {m} {m,} {m,n}` with an optional lazy `?`, groups `( )` and `(?: )`,
/// alternation and the anchors `^ $`. As in browsers (ECMA-262 Annex B), a `{` that does
/// not start a quantifier and a lone `]` or `}` are literals.
///
/// Everything else valid in ECMA-262 — backreferences, lookaround, named groups, `\b`/`\B`,
/// `\p{…}` — throws ``RegexError/unsupported(construct:name:offset:)``.
///
/// ```swift
/// let node = try RegexParser.parse("[a-z]{2,3}")
/// ```
public struct RegexParser {
    /// The largest repetition bound accepted in `{m,n}`.
    public static let maximumRepetition = 1000

    private let scalars: [Unicode.Scalar]
    private var index = 0

    private init(_ pattern: String) {
        scalars = Array(pattern.unicodeScalars)
    }

    /// Parses `pattern` into a syntax tree.
    public static func parse(_ pattern: String) throws(RegexError) -> RegexNode {
        var parser = RegexParser(pattern)
        let node = try parser.parseDisjunction(depth: 0)
        if parser.index < parser.scalars.count {
            // Only an unmatched `)` stops the top-level disjunction early.
            throw .syntax(message: "unmatched `)`", offset: parser.index)
        }
        return node
    }

    // MARK: Structure

    private mutating func parseDisjunction(depth: Int) throws(RegexError) -> RegexNode {
        guard depth < 200 else { throw .tooComplex(message: "groups are nested more than 200 deep") }
        var alternatives = [try parseAlternative(depth: depth)]
        while peek("|") {
            index += 1
            alternatives.append(try parseAlternative(depth: depth))
        }
        return alternatives.count == 1 ? alternatives[0] : .alternation(alternatives)
    }

    private mutating func parseAlternative(depth: Int) throws(RegexError) -> RegexNode {
        var terms: [RegexNode] = []
        while index < scalars.count, scalars[index] != "|", scalars[index] != ")" {
            terms.append(try parseTerm(depth: depth))
        }
        switch terms.count {
        case 0: return .empty
        case 1: return terms[0]
        default: return .concatenation(terms)
        }
    }

    private mutating func parseTerm(depth: Int) throws(RegexError) -> RegexNode {
        let start = index
        let scalar = scalars[index]
        switch scalar {
        case "^":
            index += 1
            try rejectQuantifier(after: "^", at: start)
            return .startAnchor
        case "$":
            index += 1
            try rejectQuantifier(after: "$", at: start)
            return .endAnchor
        case "*", "+", "?":
            throw .syntax(message: "nothing to repeat before `\(scalar)`", offset: start)
        case "{":
            if quantifierBounds(at: index) != nil {
                throw .syntax(message: "nothing to repeat before `{`", offset: start)
            }
        case "\\":
            if index + 1 < scalars.count, scalars[index + 1] == "b" || scalars[index + 1] == "B" {
                throw .unsupported(construct: "\\" + String(scalars[index + 1]), name: "word boundary assertion", offset: start)
            }
        default:
            break
        }
        let atom = try parseAtom(depth: depth)
        return try parseQuantifier(applyingTo: atom)
    }

    private mutating func rejectQuantifier(after anchor: String, at offset: Int) throws(RegexError) {
        if let next = scalars[ifPresent: index], next == "*" || next == "+" || next == "?" || (next == "{" && quantifierBounds(at: index) != nil) {
            throw .syntax(message: "the anchor `\(anchor)` cannot be repeated", offset: index)
        }
    }

    private mutating func parseQuantifier(applyingTo atom: RegexNode) throws(RegexError) -> RegexNode {
        guard let scalar = scalars[ifPresent: index] else { return atom }
        let start = index
        var bounds: (Int, Int?)
        switch scalar {
        case "*": bounds = (0, nil); index += 1
        case "+": bounds = (1, nil); index += 1
        case "?": bounds = (0, 1); index += 1
        case "{":
            guard let parsed = quantifierBounds(at: index) else { return atom }
            bounds = (parsed.min, parsed.max)
            index = parsed.end
            if let max = parsed.max, max < parsed.min {
                throw .syntax(message: "the quantifier {\(parsed.min),\(max)} has its numbers out of order", offset: start)
            }
            if parsed.min > Self.maximumRepetition || (parsed.max ?? 0) > Self.maximumRepetition {
                throw .tooComplex(message: "the repetition count at offset \(start) exceeds \(Self.maximumRepetition)")
            }
        default:
            return atom
        }
        if peek("?") { index += 1 }  // lazy: same language
        if let next = scalars[ifPresent: index], next == "*" || next == "+" || next == "?" || (next == "{" && quantifierBounds(at: index) != nil) {
            throw .syntax(message: "nothing to repeat before `\(next)`", offset: index)
        }
        return .repetition(atom, min: bounds.0, max: bounds.1)
    }

    /// Reads `{m}`, `{m,}` or `{m,n}` at `position` without consuming it.
    private func quantifierBounds(at position: Int) -> (min: Int, max: Int?, end: Int)? {
        var cursor = position + 1
        func number() -> Int? {
            let start = cursor
            var value = 0
            while let scalar = scalars[ifPresent: cursor], ("0"..."9").contains(scalar) {
                value = min(value * 10 + Int(scalar.value - 0x30), 1_000_000)
                cursor += 1
            }
            return cursor > start ? value : nil
        }
        guard let low = number() else { return nil }
        var high: Int? = low
        if scalars[ifPresent: cursor] == "," {
            cursor += 1
            high = number()
        }
        guard scalars[ifPresent: cursor] == "}" else { return nil }
        return (low, high, cursor + 1)
    }

    private mutating func parseAtom(depth: Int) throws(RegexError) -> RegexNode {
        let scalar = scalars[index]
        switch scalar {
        case ".":
            index += 1
            return .scalars(.dot)
        case "(":
            return try parseGroup(depth: depth)
        case "[":
            return .scalars(try parseClass())
        case "\\":
            return .scalars(try parseEscape(inClass: false))
        default:
            index += 1
            return .scalars(ScalarRangeSet(scalar: scalar))
        }
    }

    private mutating func parseGroup(depth: Int) throws(RegexError) -> RegexNode {
        let start = index
        index += 1
        if peek("?") {
            let rest = String(String.UnicodeScalarView(scalars[index..<min(index + 3, scalars.count)]))
            if rest.hasPrefix("?:") {
                index += 2
            } else if rest.hasPrefix("?=") || rest.hasPrefix("?!") {
                throw .unsupported(construct: "(" + String(rest.prefix(2)), name: "lookahead", offset: start)
            } else if rest.hasPrefix("?<=") || rest.hasPrefix("?<!") {
                throw .unsupported(construct: "(" + rest, name: "lookbehind", offset: start)
            } else if rest.hasPrefix("?<") {
                throw .unsupported(construct: "(?<name>", name: "named group", offset: start)
            } else if let flag = scalars[ifPresent: index + 1], flag.properties.isAlphabetic || flag == "-" {
                throw .unsupported(construct: "(?" + String(flag), name: "inline modifiers", offset: start)
            } else {
                throw .syntax(message: "invalid group `(?`", offset: start)
            }
        }
        let content = try parseDisjunction(depth: depth + 1)
        guard peek(")") else { throw .syntax(message: "unterminated group", offset: start) }
        index += 1
        return content
    }

    // MARK: Classes

    private mutating func parseClass() throws(RegexError) -> ScalarRangeSet {
        let start = index
        index += 1
        var negated = false
        if peek("^") {
            negated = true
            index += 1
        }
        var members = ScalarRangeSet.empty
        while true {
            guard let scalar = scalars[ifPresent: index] else {
                throw .syntax(message: "unterminated character class", offset: start)
            }
            if scalar == "]" {
                index += 1
                break
            }
            let lowStart = index
            let low = try parseClassAtom()
            guard peek("-"), let afterDash = scalars[ifPresent: index + 1], afterDash != "]" else {
                members = members.union(low)
                continue
            }
            index += 1  // -
            let highStart = index
            let high = try parseClassAtom()
            guard let lowValue = single(low), let highValue = single(high) else {
                throw .syntax(message: "a class escape like \\d cannot be a range endpoint", offset: single(low) == nil ? lowStart : highStart)
            }
            guard lowValue <= highValue else {
                throw .syntax(message: "the class range is out of order", offset: lowStart)
            }
            members = members.union(ScalarRangeSet(ranges: [lowValue...highValue]))
        }
        return negated ? members.inverted : members
    }

    private func single(_ set: ScalarRangeSet) -> UInt32? {
        set.ranges.count == 1 && set.ranges[0].lowerBound == set.ranges[0].upperBound ? set.ranges[0].lowerBound : nil
    }

    private mutating func parseClassAtom() throws(RegexError) -> ScalarRangeSet {
        if peek("\\") { return try parseEscape(inClass: true) }
        let scalar = scalars[index]
        index += 1
        return ScalarRangeSet(scalar: scalar)
    }

    // MARK: Escapes

    private mutating func parseEscape(inClass: Bool) throws(RegexError) -> ScalarRangeSet {
        let start = index
        index += 1
        guard let scalar = scalars[ifPresent: index] else {
            throw .syntax(message: "the pattern ends with a lone backslash", offset: start)
        }
        index += 1
        switch scalar {
        case "d": return .digits
        case "D": return ScalarRangeSet.digits.inverted
        case "w": return .wordCharacters
        case "W": return ScalarRangeSet.wordCharacters.inverted
        case "s": return .whitespace
        case "S": return ScalarRangeSet.whitespace.inverted
        case "t": return ScalarRangeSet(scalar: "\t")
        case "n": return ScalarRangeSet(scalar: "\n")
        case "r": return ScalarRangeSet(scalar: "\r")
        case "v": return ScalarRangeSet(scalar: "\u{0B}")
        case "f": return ScalarRangeSet(scalar: "\u{0C}")
        case "b" where inClass: return ScalarRangeSet(scalar: "\u{08}")
        case "-" where inClass: return ScalarRangeSet(scalar: "-")
        case "0":
            if let next = scalars[ifPresent: index], ("0"..."9").contains(next) {
                throw .unsupported(construct: "\\0" + String(next), name: "octal escape", offset: start)
            }
            return ScalarRangeSet(scalar: "\0")
        case "1"..."9":
            throw .unsupported(construct: "\\" + String(scalar), name: "backreference", offset: start)
        case "k":
            throw .unsupported(construct: "\\k", name: "named backreference", offset: start)
        case "p", "P":
            throw .unsupported(construct: "\\" + String(scalar) + "{…}", name: "Unicode property escape", offset: start)
        case "c":
            guard let letter = scalars[ifPresent: index], letter.isASCII, letter.properties.isAlphabetic else {
                throw .syntax(message: "\\c must be followed by an ASCII letter", offset: start)
            }
            index += 1
            return ScalarRangeSet(ranges: [letter.value % 32...letter.value % 32])
        case "x":
            let value = try hexDigits(count: 2, escapeStart: start)
            return ScalarRangeSet(ranges: [value...value])
        case "u":
            return ScalarRangeSet(ranges: [try unicodeEscape(escapeStart: start)].map { $0...$0 })
        default:
            if scalar.isASCII, !scalar.properties.isAlphabetic, !("0"..."9").contains(scalar) {
                return ScalarRangeSet(scalar: scalar)  // escaped punctuation
            }
            throw .syntax(message: "unknown escape `\\\(scalar)`", offset: start)
        }
    }

    private mutating func unicodeEscape(escapeStart: Int) throws(RegexError) -> UInt32 {
        if peek("{") {
            index += 1
            var value: UInt32 = 0
            var digits = 0
            while let scalar = scalars[ifPresent: index], let digit = hexValue(scalar) {
                value = min(value * 16 + digit, 0x110000)
                digits += 1
                index += 1
            }
            guard digits > 0, peek("}") else { throw .syntax(message: "\\u{…} needs hexadecimal digits and a closing brace", offset: escapeStart) }
            index += 1
            guard value <= 0x10FFFF else { throw .syntax(message: "\\u{…} is beyond U+10FFFF", offset: escapeStart) }
            return try nonSurrogate(value, escapeStart: escapeStart)
        }
        let high = try hexDigits(count: 4, escapeStart: escapeStart)
        guard (0xD800...0xDBFF).contains(high) else { return try nonSurrogate(high, escapeStart: escapeStart) }
        guard peek("\\"), scalars[ifPresent: index + 1] == "u" else {
            throw .syntax(message: "a lone surrogate \\u\(String(high, radix: 16)) cannot match a Unicode scalar", offset: escapeStart)
        }
        index += 2
        let low = try hexDigits(count: 4, escapeStart: escapeStart)
        guard (0xDC00...0xDFFF).contains(low) else {
            throw .syntax(message: "a high surrogate must be followed by a low surrogate", offset: escapeStart)
        }
        return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
    }

    private func nonSurrogate(_ value: UInt32, escapeStart: Int) throws(RegexError) -> UInt32 {
        if ScalarRangeSet.surrogates.contains(value) {
            throw .syntax(message: "a lone surrogate \\u\(String(value, radix: 16)) cannot match a Unicode scalar", offset: escapeStart)
        }
        return value
    }

    private mutating func hexDigits(count: Int, escapeStart: Int) throws(RegexError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<count {
            guard let scalar = scalars[ifPresent: index], let digit = hexValue(scalar) else {
                throw .syntax(message: "the escape needs \(count) hexadecimal digits", offset: escapeStart)
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "0"..."9": return scalar.value - 0x30
        case "a"..."f": return scalar.value - 0x61 + 10
        case "A"..."F": return scalar.value - 0x41 + 10
        default: return nil
        }
    }

    private func peek(_ scalar: Unicode.Scalar) -> Bool { scalars[ifPresent: index] == scalar }
}

fileprivate extension Array {
    subscript(ifPresent position: Int) -> Element? {
        position >= 0 && position < count ? self[position] : nil
    }
}
