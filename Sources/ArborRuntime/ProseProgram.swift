import Foundation

/// Runs the arithmetic of a short Python program a model wrote in its prose, and gives the
/// output the model is about to invent: the `prose` tree syntax's answer to a habit of code
/// models, which solve a word problem by writing a program, then a ```` ```output ```` block
/// with a number they guess. The runtime writes the program's real output there instead.
///
/// Only straight-line arithmetic is run, never Python itself: `import` lines (skipped),
/// comments, assignments (`x = …`, `x += …`), and `print(…)` of numbers, strings and
/// f-strings (`{x}`, `{x:.2f}`, `{x:,}`). Expressions: numbers, names, `+ - * / // % **`,
/// parentheses, `round int float abs min max`, `math.ceil math.floor math.sqrt math.pi`.
/// Anything else (a loop, a function, `sympy`) means the program is not run and nothing is
/// written: the model goes on as it would have.
///
/// ```swift
/// ProseProgram.output(endingAt: "```python\na = 8 * 7\nprint(a + 10)\n```\n```output\n")  // "66\n"
/// ```
public enum ProseProgram {
    /// The marker after which a program's output goes.
    public static let outputMarker = "```output\n"
    /// The most output lines written; a longer output is not written at all.
    static let maxOutputLines = 12

    /// The output of the program in the last ```` ```python ```` block of `text`, when `text`
    /// ends with that block, closed, and ```` ```output ````; lines as `print` writes them with
    /// runs of spaces made one (`print("Answer:", x)`). Nil when the text does not end so,
    /// the program is not plain arithmetic, or it prints nothing.
    public static func output(endingAt text: Substring) -> String? {
        guard text.hasSuffix(outputMarker) else { return nil }
        let beforeMarker = text.dropLast(outputMarker.count)
        guard let close = beforeMarker.range(of: "```", options: .backwards),
              beforeMarker[close.upperBound...].allSatisfy(\.isWhitespace),
              let open = beforeMarker[..<close.lowerBound].range(of: "```", options: .backwards) else { return nil }
        let header = beforeMarker[open.upperBound...].prefix(while: { $0 != "\n" })
        guard ["python", "py", "python3"].contains(header.trimmingCharacters(in: .whitespaces).lowercased()) else { return nil }
        let source = beforeMarker[open.upperBound..<close.lowerBound].dropFirst(header.count)
        var interpreter = Interpreter()
        guard let lines = interpreter.run(String(source)), !lines.isEmpty, lines.count <= maxOutputLines else { return nil }
        return lines.map { line in
            line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }.joined(separator: "\n") + "\n"
    }

    /// A value of the program: Python's int, float or str.
    enum Value: Equatable {
        case int(Int64)
        case float(Double)
        case string(String)

        var double: Double? {
            switch self {
            case .int(let i): return Double(i)
            case .float(let d): return d
            case .string: return nil
            }
        }

        /// As `print` writes it (`str()`).
        var printed: String {
            switch self {
            case .int(let i): return String(i)
            case .float(let d): return Value.pythonRepr(d)
            case .string(let s): return s
            }
        }

        /// Python's `repr` of a float: `66.0`, `12.07`, `1e+16`.
        static func pythonRepr(_ d: Double) -> String {
            if d.isNaN { return "nan" }
            if d.isInfinite { return d < 0 ? "-inf" : "inf" }
            if d == d.rounded(), abs(d) < 1e16 { return String(Int64(d)) + ".0" }
            return "\(d)"
        }
    }

    /// Runs statements one line at a time; nil at the first line it cannot run.
    struct Interpreter {
        var variables: [String: Value] = ["True": .int(1), "False": .int(0)]
        var printed: [String] = []

        mutating func run(_ source: String) -> [String]? {
            for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
                let line = Self.withoutComment(rawLine)
                if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                guard line.first?.isWhitespace == false, execute(line.trimmingCharacters(in: .whitespaces)) else { return nil }
            }
            return printed
        }

        /// One statement; false when it is not one this interpreter runs.
        private mutating func execute(_ line: String) -> Bool {
            if line.hasPrefix("import ") || (line.hasPrefix("from ") && line.contains(" import ")) { return true }
            if line.hasPrefix("print("), line.hasSuffix(")") {
                guard let arguments = ExpressionParser.arguments(of: String(line.dropFirst(6).dropLast()), variables: variables) else { return false }
                printed.append(arguments.map(\.printed).joined(separator: " "))
                return true
            }
            for op in ["+=", "-=", "*=", "/=", "//=", "%=", "**="] {
                if let range = line.range(of: " \(op) ") ?? line.range(of: op), let name = Self.name(line[..<range.lowerBound]) {
                    guard let old = variables[name], let value = ExpressionParser.evaluate(String(line[range.upperBound...]), variables: variables),
                          let new = ExpressionParser.apply(String(op.dropLast()), old, value) else { return false }
                    variables[name] = new
                    return true
                }
            }
            guard let equals = line.firstIndex(of: "="), let name = Self.name(line[..<equals]),
                  line[line.index(after: equals)...].first != "=",
                  let value = ExpressionParser.evaluate(String(line[line.index(after: equals)...]), variables: variables) else { return false }
            variables[name] = value
            return true
        }

        /// `text` as a plain variable name (spaces around it allowed), or nil.
        private static func name(_ text: Substring) -> String? {
            let name = text.trimmingCharacters(in: .whitespaces)
            guard let first = name.first, first.isLetter || first == "_",
                  name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { return nil }
            return name
        }

        /// The line without a `#` comment outside a string.
        private static func withoutComment(_ line: Substring) -> Substring {
            var quote: Character?
            for index in line.indices {
                let character = line[index]
                if let open = quote {
                    if character == open { quote = nil }
                } else if character == "\"" || character == "'" {
                    quote = character
                } else if character == "#" {
                    return line[..<index]
                }
            }
            return line
        }
    }
}
