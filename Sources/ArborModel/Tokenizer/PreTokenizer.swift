/// The rule that splits text into pieces before byte-level BPE runs on each piece.
///
/// GGUF names the rule in `tokenizer.ggml.pre`; llama.cpp maps each name to a list of regular
/// expressions. Arbor implements the same splits as hand-written scanners over Unicode code
/// points (faster than a regex engine and exact by construction):
///
/// - `gpt2`: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)`
/// - `gpt2SingleDigits` (SmolLM2, StarCoder): first every `\p{N}` becomes its own piece, then
///   the GPT-2 rule runs on the rest.
/// - `qwen2` (Qwen2, Qwen2.5, Qwen3): `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|
///   ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`, with ordered alternation as in ECMAScript.
///
/// `\p{L}` is Unicode categories Lu/Ll/Lt/Lm/Lo, `\p{N}` is Nd/Nl/No, `\s` is the White_Space
/// property; a white-space code point counts as white space whatever its category.
///
/// ```swift
/// PreTokenizer.qwen2.pieces(of: "don't  stop") // ["don", "'t", " ", " stop"]
/// ```
public enum PreTokenizer: String, Sendable, CaseIterable {
    case gpt2
    case gpt2SingleDigits
    case qwen2

    /// The rule for a `tokenizer.ggml.pre` value, or `nil` when Arbor does not implement it.
    public init?(ggufName: String) {
        switch ggufName {
        case "gpt-2", "phi-2", "mpt", "olmo", "jais":
            self = .gpt2
        case "smollm", "starcoder", "refact", "command-r", "codeshell", "exaone":
            self = .gpt2SingleDigits
        case "qwen2", "deepseek-r1-qwen", "stablelm2":
            self = .qwen2
        default:
            return nil
        }
    }

    /// Splits `text` into pieces (for tests and inspection; the tokenizer uses `split`).
    public func pieces(of text: String) -> [String] {
        let scalars = text.unicodeScalars.map(\.value)
        var ends = [Int]()
        split(scalars, into: &ends)
        var pieces = [String]()
        var start = 0
        for end in ends {
            var view = String.UnicodeScalarView()
            for value in scalars[start..<end] { view.append(Unicode.Scalar(value)!) }
            pieces.append(String(view))
            start = end
        }
        return pieces
    }

    /// Appends the exclusive end index of every piece of `scalars`, in order.
    func split(_ scalars: [UInt32], into ends: inout [Int]) {
        guard !scalars.isEmpty else { return }
        let classes = scalars.map(CharClass.of)
        switch self {
        case .gpt2:
            splitGPT2(scalars, classes, 0, scalars.count, &ends)
        case .gpt2SingleDigits:
            var start = 0
            for i in 0..<scalars.count where classes[i] == .number {
                if i > start { splitGPT2(scalars, classes, start, i, &ends) }
                ends.append(i + 1)
                start = i + 1
            }
            if start < scalars.count { splitGPT2(scalars, classes, start, scalars.count, &ends) }
        case .qwen2:
            splitQwen2(scalars, classes, &ends)
        }
    }
}

/// The classes the split rules distinguish.
enum CharClass: UInt8 {
    case letter, number, whitespace, other

    private static let ascii: [CharClass] = (0..<128).map { v in
        switch v {
        case 0x41...0x5A, 0x61...0x7A: return .letter
        case 0x30...0x39: return .number
        case 0x09...0x0D, 0x20: return .whitespace
        default: return .other
        }
    }

    static func of(_ value: UInt32) -> CharClass {
        if value < 128 { return ascii[Int(value)] }
        guard let scalar = Unicode.Scalar(value) else { return .other }
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }
}

private let apostrophe = UInt32(UInt8(ascii: "'"))
private let space = UInt32(UInt8(ascii: " "))
private let carriageReturn: UInt32 = 0x0D
private let lineFeed: UInt32 = 0x0A

private func asciiLower(_ value: UInt32) -> UInt32 {
    (0x41...0x5A).contains(value) ? value + 0x20 : value
}

/// The GPT-2 rule on `scalars[start..<end]`; positions past `end` count as "nothing".
private func splitGPT2(_ s: [UInt32], _ cls: [CharClass], _ start: Int, _ end: Int, _ ends: inout [Int]) {
    func classAt(_ i: Int) -> CharClass? { i < end ? cls[i] : nil }
    var pos = start
    while pos < end {
        let c = s[pos]
        // 's|'t|'re|'ve|'m|'ll|'d (case-sensitive)
        if c == apostrophe && pos + 1 < end {
            let n1 = s[pos + 1]
            if n1 == 0x73 || n1 == 0x74 || n1 == 0x6D || n1 == 0x64 {  // s t m d
                pos += 2; ends.append(pos); continue
            }
            if pos + 2 < end {
                let n2 = s[pos + 2]
                if (n1 == 0x72 && n2 == 0x65) || (n1 == 0x76 && n2 == 0x65) || (n1 == 0x6C && n2 == 0x6C) {  // re ve ll
                    pos += 3; ends.append(pos); continue
                }
            }
        }
        let lead = c == space ? classAt(pos + 1) : cls[pos]
        if let lead, lead != .whitespace {
            // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: one optional space, then a run of one class.
            if c == space { pos += 1 }
            while pos < end && cls[pos] == lead { pos += 1 }
            ends.append(pos)
            continue
        }
        var whitespaceEnd = pos
        while whitespaceEnd < end && cls[whitespaceEnd] == .whitespace { whitespaceEnd += 1 }
        let count = whitespaceEnd - pos
        if count > 1 && whitespaceEnd < end {
            // `\s+(?!\S)`: leave the last white space to prefix the next word.
            pos = whitespaceEnd - 1
        } else if count > 0 {
            pos = whitespaceEnd
        } else {
            pos += 1  // a lone space at the very end
        }
        ends.append(pos)
    }
}

/// The Qwen2 rule over the whole fragment, alternatives tried in order at each position.
private func splitQwen2(_ s: [UInt32], _ cls: [CharClass], _ ends: inout [Int]) {
    let end = s.count
    func isNewline(_ i: Int) -> Bool { s[i] == carriageReturn || s[i] == lineFeed }
    var pos = 0
    while pos < end {
        let c = s[pos]
        let cc = cls[pos]
        // (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if c == apostrophe && pos + 1 < end {
            let n1 = asciiLower(s[pos + 1])
            if n1 == 0x73 || n1 == 0x74 || n1 == 0x6D || n1 == 0x64 {
                pos += 2; ends.append(pos); continue
            }
            if pos + 2 < end {
                let n2 = asciiLower(s[pos + 2])
                if (n1 == 0x72 && n2 == 0x65) || (n1 == 0x76 && n2 == 0x65) || (n1 == 0x6C && n2 == 0x6C) {
                    pos += 3; ends.append(pos); continue
                }
            }
        }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if cc == .letter || (cc != .number && !isNewline(pos) && pos + 1 < end && cls[pos + 1] == .letter) {
            pos += 1
            while pos < end && cls[pos] == .letter { pos += 1 }
            ends.append(pos); continue
        }
        // \p{N}
        if cc == .number {
            pos += 1; ends.append(pos); continue
        }
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        var q = pos
        if c == space && q + 1 < end && cls[q + 1] == .other { q += 1 }
        if cls[q] == .other {
            while q < end && cls[q] == .other { q += 1 }
            while q < end && isNewline(q) { q += 1 }
            pos = q; ends.append(pos); continue
        }
        // Only white space is left at `pos`.
        var runEnd = pos
        while runEnd < end && cls[runEnd] == .whitespace { runEnd += 1 }
        // \s*[\r\n]+ : greedy white space, backtracked to the last newline of the run.
        var lastNewline = -1
        for i in pos..<runEnd where isNewline(i) { lastNewline = i }
        if lastNewline >= 0 {
            pos = lastNewline + 1
        } else if runEnd - pos > 1 && runEnd < end {
            pos = runEnd - 1  // \s+(?!\S)
        } else {
            pos = runEnd      // \s+(?!\S) at the end, or \s+
        }
        ends.append(pos)
    }
}
