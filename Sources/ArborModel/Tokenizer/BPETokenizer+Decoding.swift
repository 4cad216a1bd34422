/// Decoding: token ids back to bytes and text.
extension BPETokenizer {
    /// The bytes token `id` stands for: the byte-mapped text decoded for normal tokens, the
    /// text itself for control, user-defined and unknown tokens, nothing for unused ones or
    /// ids outside the vocabulary. The grammar matcher walks these.
    public func tokenBytes(_ id: Int32) -> [UInt8] {
        guard id >= 0, Int(id) < tokens.count else { return [] }
        return Array(tokenByteStorage[tokenByteStarts[Int(id)]..<tokenByteStarts[Int(id) + 1]])
    }

    /// Calls `body` with the bytes of token `id` without copying them.
    public func withTokenBytes<R>(_ id: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        guard id >= 0, Int(id) < tokens.count else {
            return try body(UnsafeBufferPointer(start: nil, count: 0))
        }
        return try tokenByteStorage.withUnsafeBufferPointer { storage in
            let start = tokenByteStarts[Int(id)]
            return try body(UnsafeBufferPointer(rebasing: storage[start..<tokenByteStarts[Int(id) + 1]]))
        }
    }

    /// The token's type (`.undefined` for ids outside the vocabulary).
    public func tokenType(_ id: Int32) -> TokenType {
        guard id >= 0, Int(id) < tokenTypes.count else { return .undefined }
        return tokenTypes[Int(id)]
    }

    /// Appends the bytes of `id` as llama.cpp's `token_to_piece` renders them: control and
    /// unknown tokens only when `renderSpecial` is set.
    func appendPiece(_ id: Int32, renderSpecial: Bool, to out: inout [UInt8]) {
        guard id >= 0, Int(id) < tokens.count else { return }
        let type = tokenTypes[Int(id)]
        if !renderSpecial && (type == .control || type == .unknown) { return }
        out.append(contentsOf: tokenByteStorage[tokenByteStarts[Int(id)]..<tokenByteStarts[Int(id) + 1]])
    }

    /// The bytes of a token sequence.
    public func decodeBytes(_ ids: [Int32], renderSpecial: Bool = false) -> [UInt8] {
        var out = [UInt8]()
        for id in ids { appendPiece(id, renderSpecial: renderSpecial, to: &out) }
        return out
    }

    /// The text of a token sequence; invalid UTF-8 (a sequence cut mid-character) becomes U+FFFD.
    public func decode(_ ids: [Int32], renderSpecial: Bool = false) -> String {
        String(decoding: decodeBytes(ids, renderSpecial: renderSpecial), as: UTF8.self)
    }
}
