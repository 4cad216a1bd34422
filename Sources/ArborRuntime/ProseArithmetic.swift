/// Reads the calculation a model has just written in prose, up to an `=` — how the `prose`
/// tree syntax decides, from the text alone, whether an `=` calls the calculator.
///
/// The text between the line's start (or the previous `=`) and this `=` is read as tokens:
/// numbers (`1,000` and `$7` read as 1000 and 7), operators (`+ - * / ^`; `×`, `·`,
/// `\times`, `\cdot` and a lone `x` are `*`; `÷` and `\div` are `/`) and parentheses; words,
/// units (`km/h`) and other marks are dropped. The calculation is the longest tail of those
/// tokens that is a well-formed expression with at least one operator between two numbers;
/// none means the `=` is prose (`x = 5`, `The cost = 56`).
///
/// ```swift
/// ProseArithmetic.expression(before: "Tom pays 8 pens × $7 each =")    // "8 * 7"
/// ProseArithmetic.expression(before: "So 56 + 2 * 5 dollars =")        // "56 + 2 * 5"
/// ProseArithmetic.expression(before: "The total =")                    // nil
/// ```
public enum ProseArithmetic {
    enum Token: Equatable {
        case number(String)
        case op(Character)
        case open, close
    }

    /// The calculation written just before the `=` that ends `text` (the `=` itself
    /// excluded), as the calculator reads it; nil when the `=` is not a calculation.
    public static func expression(before text: Substring) -> String? {
        let lineStart = text.lastIndex(where: { $0 == "\n" || $0 == "=" }).map { text.index(after: $0) } ?? text.startIndex
        let tokens = tokenize(normalized(String(text[lineStart...])))
        guard let tail = longestExpressionTail(tokens) else { return nil }
        return tail.map { token in
            switch token {
            case .number(let digits): return digits
            case .op(let op): return String(op)
            case .open: return "("
            case .close: return ")"
            }
        }.joined(separator: " ").replacingOccurrences(of: "( ", with: "(").replacingOccurrences(of: " )", with: ")")
    }

    /// LaTeX and typographic operators as ASCII.
    private static func normalized(_ text: String) -> String {
        var text = text
        for (from, to) in [("\\times", " * "), ("\\cdot", " * "), ("\\div", " / "), ("×", " * "), ("·", " * "), ("÷", " / "),
                           ("−", "-"), ("\\left", " "), ("\\right", " ")] {
            text = text.replacingOccurrences(of: from, with: to)
        }
        return text
    }

    static func tokenize(_ text: String) -> [Token] {
        var tokens: [Token] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character.isASCII, character.isNumber || (character == "." && index + 1 < characters.count && characters[index + 1].isASCII && characters[index + 1].isNumber) {
                var digits = ""
                while index < characters.count {
                    let next = characters[index]
                    if next.isASCII && next.isNumber {
                        digits.append(next)
                    } else if next == "." && !digits.contains(".") && index + 1 < characters.count && characters[index + 1].isASCII && characters[index + 1].isNumber {
                        digits.append(next)
                    } else if next == ",", !digits.contains("."), isThousandsGroup(characters, after: index) {
                        // 1,000: a separator, not a list
                    } else {
                        break
                    }
                    index += 1
                }
                tokens.append(.number(digits.hasPrefix(".") ? "0" + digits : digits))
                continue
            }
            if character.isLetter || character == "\\" || character == "_" {
                var word = ""
                // a word, a unit such as km/h, a LaTeX command
                while index < characters.count, characters[index].isLetter || characters[index] == "\\" || characters[index] == "_"
                        || (characters[index] == "/" && index + 1 < characters.count && characters[index + 1].isLetter && !word.isEmpty) {
                    word.append(characters[index])
                    index += 1
                }
                if word == "x" || word == "X" { tokens.append(.op("*")) }
                continue
            }
            switch character {
            case "+", "-", "*", "/", "^": tokens.append(.op(character))
            case "(": tokens.append(.open)
            case ")": tokens.append(.close)
            default: break
            }
            index += 1
        }
        return tokens
    }

    /// Whether the comma at `index` is followed by exactly three digits.
    private static func isThousandsGroup(_ characters: [Character], after index: Int) -> Bool {
        guard index > 0, characters[index - 1].isASCII, characters[index - 1].isNumber else { return false }
        let group = characters.dropFirst(index + 1).prefix(4)
        let digits = group.prefix(while: { $0.isASCII && $0.isNumber })
        return digits.count == 3
    }

    /// The longest tail of `tokens` that parses as an expression with an operator; a dangling
    /// operator at the end (a unit's `/`) is dropped first.
    static func longestExpressionTail(_ tokens: [Token]) -> [Token]? {
        var tokens = tokens
        while let last = tokens.last, case .op = last { tokens.removeLast() }
        guard !tokens.isEmpty else { return nil }
        for start in tokens.indices {
            let tail = Array(tokens[start...])
            if tail.contains(where: { if case .op = $0 { return true } else { return false } }), isExpression(tail) {
                return tail
            }
        }
        return nil
    }

    /// expr ::= term (op term)*; term ::= "-"? (number | "(" expr ")"); at least one binary
    /// operator somewhere.
    static func isExpression(_ tokens: [Token]) -> Bool {
        var position = 0
        var binary = 0
        func term() -> Bool {
            if position < tokens.count, tokens[position] == .op("-") { position += 1 }
            guard position < tokens.count else { return false }
            switch tokens[position] {
            case .number:
                position += 1
                return true
            case .open:
                position += 1
                guard expression(), position < tokens.count, tokens[position] == .close else { return false }
                position += 1
                return true
            default:
                return false
            }
        }
        func expression() -> Bool {
            guard term() else { return false }
            while position < tokens.count, case .op = tokens[position] {
                position += 1
                binary += 1
                guard term() else { return false }
            }
            return true
        }
        return expression() && position == tokens.count && binary > 0
    }
}

extension ProseArithmetic {
    /// Whether the last line of `text` ends with a calculation written *after* its `=` and
    /// not yet worked out (`Total cost for pens = 8 * $7`): what small models write before
    /// they move on without the result. Not inside a ```` ``` ```` code block, where `=` is an
    /// assignment.
    public static func endsWithUnworkedCalculation(_ text: Substring) -> Bool {
        let lineStart = text.lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
        let line = text[lineStart...]
        guard let equals = line.lastIndex(of: "="), line[line.index(after: equals)...].contains(where: \.isNumber),
              !isInsideCodeBlock(text[..<lineStart]) else { return false }
        return expression(before: line) != nil
    }

    /// Whether `text` (whole lines) leaves a ```` ``` ```` block open.
    static func isInsideCodeBlock(_ text: Substring) -> Bool {
        text.split(separator: "\n").filter { $0.drop(while: { $0 == " " }).hasPrefix("```") }.count % 2 == 1
    }
}
