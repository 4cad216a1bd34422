/// A problem in a shorthand type or field declaration, with where it is.
///
/// `pointer` locates the offending value in the JSON form of the declaration (the YAML
/// loader maps it back to a line and column); `offset`, when present, is the 0-based
/// character offset inside a shorthand string such as `list[strr]`.
///
/// ```swift
/// do { _ = try ShorthandType(parsing: "list[strr]") } catch {
///     error.offset   // 5
///     error.hint     // "did you mean `str`?"
/// }
/// ```
public struct ShorthandError: Error, Sendable, Hashable, CustomStringConvertible {
    public var pointer: JSONPointer
    public var offset: Int?
    public var message: String
    public var hint: String?
    /// True when the problem is the key at `pointer` (a misspelt option), not its value.
    public var isAboutKey: Bool

    public init(pointer: JSONPointer = .root, offset: Int? = nil, message: String, hint: String? = nil, isAboutKey: Bool = false) {
        self.pointer = pointer
        self.offset = offset
        self.message = message
        self.hint = hint
        self.isAboutKey = isAboutKey
    }

    public var description: String {
        var text = pointer.isRoot ? "" : "\(pointer.string): "
        if let offset { text += "at character \(offset + 1): " }
        text += message
        if let hint { text += " (\(hint))" }
        return text
    }
}

/// Suggestions for misspelt names, by edit distance.
public enum SpellingHint {
    /// The edit distance between two strings (insertions, deletions, substitutions and
    /// swaps of neighbours each cost 1), by Unicode scalar.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }

    /// The closest candidate within a distance that scales with the word's length, if any.
    ///
    /// ```swift
    /// SpellingHint.closest(to: "paramters", in: ["parameters", "description"])  // "parameters"
    /// ```
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let limit = max(1, min(3, (word.count + 1) / 3))
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let d = distance(word.lowercased(), candidate.lowercased())
            if d <= limit, best.map({ d < $0.distance }) ?? true { best = (candidate, d) }
        }
        return best?.name
    }

    /// `did you mean `x`?` for the closest candidate, or nil.
    public static func didYouMean(_ word: String, in candidates: [String]) -> String? {
        closest(to: word, in: candidates).map { "did you mean `\($0)`?" }
    }
}
