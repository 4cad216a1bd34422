/// Turns generated tokens into text as they arrive, holding back a character whose UTF-8 bytes
/// are split across tokens until it is complete.
///
/// Byte-level BPE often puts the bytes of one emoji or CJK character into two or three tokens;
/// printing each token's bytes on its own would show replacement characters. Bytes that can
/// never become valid UTF-8 are emitted as U+FFFD at once.
///
/// ```swift
/// var stream = StreamingDecoder(tokenizer: tokenizer)
/// for id in generated { print(stream.push(id), terminator: "") }
/// print(stream.finish())
/// ```
public struct StreamingDecoder: Sendable {
    public let tokenizer: BPETokenizer
    public var renderSpecial: Bool
    private var pending: [UInt8] = []

    public init(tokenizer: BPETokenizer, renderSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.renderSpecial = renderSpecial
    }

    /// Bytes received but not yet returned as text (an incomplete character).
    public var pendingBytes: [UInt8] { pending }

    /// Adds one token and returns the text that became complete.
    public mutating func push(_ id: Int32) -> String {
        tokenizer.appendPiece(id, renderSpecial: renderSpecial, to: &pending)
        return drainComplete()
    }

    /// Adds raw bytes (e.g. a tool result inserted into the stream) and returns the completed text.
    public mutating func push(bytes: [UInt8]) -> String {
        pending.append(contentsOf: bytes)
        return drainComplete()
    }

    /// Returns whatever is held back, incomplete characters as U+FFFD, and resets.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    private mutating func drainComplete() -> String {
        let keep = StreamingDecoder.incompleteSuffixLength(pending)
        let ready = pending.count - keep
        guard ready > 0 else { return "" }
        let text = String(decoding: pending[..<ready], as: UTF8.self)
        pending.removeFirst(ready)
        return text
    }

    /// Length of a trailing sequence that is a valid but unfinished UTF-8 character (0…3):
    /// what to hold back until the next bytes arrive.
    public static func incompleteSuffixLength(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        var start = n - 1
        // Find the last lead byte among the final three bytes.
        while start >= 0 && start >= n - 3 && bytes[start] & 0xC0 == 0x80 { start -= 1 }
        guard start >= 0, start >= n - 3 else { return 0 }
        let lead = bytes[start]
        let needed: Int
        switch lead {
        case 0xC2...0xDF: needed = 2
        case 0xE0...0xEF: needed = 3
        case 0xF0...0xF4: needed = 4
        default: return 0
        }
        let have = n - start
        guard have < needed else { return 0 }
        // The second byte's range is narrower after some leads (no overlongs, no surrogates).
        if have >= 2 {
            let second = bytes[start + 1]
            let valid: ClosedRange<UInt8>
            switch lead {
            case 0xE0: valid = 0xA0...0xBF
            case 0xED: valid = 0x80...0x9F
            case 0xF0: valid = 0x90...0xBF
            case 0xF4: valid = 0x80...0x8F
            default: valid = 0x80...0xBF
            }
            guard valid.contains(second) else { return 0 }
        }
        return have
    }
}
