import Foundation

/// A byte-level BPE tokenizer (GPT-2 style) built from a GGUF model's tokenizer metadata.
///
/// Encoding follows llama.cpp step by step, so ids match it exactly: special tokens are cut out
/// of the text first (longest text first), the remaining text is split by the model's
/// pre-tokenizer rule, each piece is mapped to byte symbols and merged pair by pair in merge-rank
/// order (the leftmost pair wins a tie). Merges are looked up in a table keyed by the two symbol
/// ids, and the ids of recently seen pieces are cached, so repeated words cost one lookup.
///
/// ```swift
/// let tokenizer = try BPETokenizer(gguf: GGUFFile(path: path))
/// let ids = tokenizer.encode("<|im_start|>user\nHi<|im_end|>", parseSpecial: true)
/// tokenizer.decode(ids, renderSpecial: true)   // the same text back
/// ```
public final class BPETokenizer: @unchecked Sendable {
    // @unchecked: every stored property is immutable except `pieceCache`, which is only
    // touched under `cacheLock`.

    /// Vocabulary texts, indexed by token id (byte-mapped for normal tokens).
    public let tokens: [String]
    public let tokenTypes: [TokenType]
    public let preTokenizer: PreTokenizer
    public let bosID: Int32?
    public let eosID: Int32?
    /// End-of-turn token (`<|im_end|>` for ChatML models).
    public let eotID: Int32?
    public let padID: Int32?
    public let unknownID: Int32?
    /// Every token that ends generation: EOS, EOT and the end markers llama.cpp recognises by text.
    public let endOfGenerationIDs: Set<Int32>
    /// Whether `encode(_:parseSpecial:addSpecial:)` with `addSpecial` prepends BOS / appends EOS.
    public let addBOS: Bool
    public let addEOS: Bool

    public var vocabularySize: Int { tokens.count }

    let tokenToID: [ByteKey: Int32]
    /// `(left << 32 | right)` → `(rank << 32 | merged)`, over symbol ids.
    let merges: [UInt64: UInt64]
    /// The symbol id of each byte's one-character string.
    let byteSymbols: [Int32]
    /// Symbols that are not vocabulary entries (ids from `vocabularySize` up), as byte-mapped text.
    let extraSymbols: [String]
    /// Special tokens in matching order: longest text first.
    let specialTokens: [(id: Int32, text: [UInt8], type: TokenType)]
    /// Decoded bytes of every token, concatenated; token i spans `tokenByteStarts[i]..<tokenByteStarts[i+1]`.
    let tokenByteStorage: [UInt8]
    let tokenByteStarts: [Int]

    private let cacheLock = NSLock()
    private var pieceCache: [ByteKey: [Int32]] = [:]
    static let pieceCacheLimit = 65_536

    /// Builds the tokenizer from `tokenizer.ggml.*` metadata.
    public convenience init(gguf: GGUFFile) throws {
        let model = try gguf.string("tokenizer.ggml.model")
        guard model == "gpt2" else { throw TokenizerError.unsupportedModel(model) }
        let preName = try gguf.string("tokenizer.ggml.pre", default: "default")
        guard let pre = PreTokenizer(ggufName: preName) else { throw TokenizerError.unsupportedPreTokenizer(preName) }
        let tokens = try gguf.stringArray("tokenizer.ggml.tokens")
        var types = [TokenType](repeating: .normal, count: tokens.count)
        if gguf.contains("tokenizer.ggml.token_type") {
            let raw = try gguf.int32Array("tokenizer.ggml.token_type")
            guard raw.count == tokens.count else {
                throw TokenizerError.invalidMetadata(
                    key: "tokenizer.ggml.token_type", reason: "\(raw.count) types for \(tokens.count) tokens")
            }
            types = raw.map { TokenType(rawValue: $0) ?? .undefined }
        }
        let merges = try gguf.stringArray("tokenizer.ggml.merges")
        func id(_ key: String) throws -> Int32? {
            guard gguf.contains(key) else { return nil }
            let value = try gguf.integer(key, as: Int32.self)
            guard value >= 0, Int(value) < tokens.count else {
                throw TokenizerError.invalidMetadata(key: key, reason: "id \(value) is outside the vocabulary of \(tokens.count)")
            }
            return value
        }
        try self.init(
            tokens: tokens, tokenTypes: types, merges: merges, preTokenizer: pre,
            bosID: id("tokenizer.ggml.bos_token_id"), eosID: id("tokenizer.ggml.eos_token_id"),
            eotID: id("tokenizer.ggml.eot_token_id"), padID: id("tokenizer.ggml.padding_token_id"),
            unknownID: id("tokenizer.ggml.unknown_token_id"),
            addBOS: try gguf.bool("tokenizer.ggml.add_bos_token", default: false),
            addEOS: try gguf.bool("tokenizer.ggml.add_eos_token", default: false))
    }

    /// Builds a tokenizer from a vocabulary, token types and `"left right"` merge strings in
    /// rank order (texts in the GPT-2 byte mapping).
    public init(
        tokens: [String], tokenTypes: [TokenType], merges mergeStrings: [String], preTokenizer: PreTokenizer,
        bosID: Int32? = nil, eosID: Int32? = nil, eotID: Int32? = nil, padID: Int32? = nil,
        unknownID: Int32? = nil, addBOS: Bool = false, addEOS: Bool = false
    ) throws {
        guard !tokens.isEmpty else {
            throw TokenizerError.invalidMetadata(key: "tokenizer.ggml.tokens", reason: "the vocabulary is empty")
        }
        guard tokenTypes.count == tokens.count else {
            throw TokenizerError.invalidMetadata(
                key: "tokenizer.ggml.token_type", reason: "\(tokenTypes.count) types for \(tokens.count) tokens")
        }
        guard tokens.count < Int(Int32.max) / 2 else {
            throw TokenizerError.invalidMetadata(key: "tokenizer.ggml.tokens", reason: "too many tokens")
        }
        var types = tokenTypes
        var tokenToID = [ByteKey: Int32](minimumCapacity: tokens.count)
        for (i, text) in tokens.enumerated() { tokenToID[ByteKey(text)] = Int32(i) }  // a later duplicate wins, as in llama.cpp

        // The end-of-turn token, and the end-of-generation set, are also recognised by text
        // (llama.cpp does the same); such tokens become control tokens.
        let endMarkers: Set<String> = [
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>",
            "<EOT>", "_<EOT>", "<|end_of_text|>", "<end_of_utterance>",
        ]
        var eot = eotID
        if eot == nil {
            for marker in ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "<end_of_utterance>"] {
                if let id = tokenToID[ByteKey(marker)] { eot = id; break }
            }
        }
        var endOfGeneration = Set<Int32>()
        for marker in endMarkers {
            if let id = tokenToID[ByteKey(marker)] { endOfGeneration.insert(id) }
        }
        if let eosID { endOfGeneration.insert(eosID) }
        if let eot { endOfGeneration.insert(eot) }
        for id in endOfGeneration where types[Int(id)] != .control { types[Int(id)] = .control }

        // Symbols: vocabulary ids, plus extra ids for merge parts or results missing from it.
        var extraSymbols = [String]()
        var extraIndex = [ByteKey: Int32]()
        func symbol(_ key: ByteKey) -> Int32 {
            if let id = tokenToID[key] { return id }
            if let id = extraIndex[key] { return id }
            let id = Int32(tokens.count + extraSymbols.count)
            extraSymbols.append(String(decoding: key.bytes, as: UTF8.self))
            extraIndex[key] = id
            return id
        }
        var byteSymbols = [Int32]()
        for byte in 0..<256 { byteSymbols.append(symbol(ByteKey(String(ByteLevelEncoding.scalar(for: UInt8(byte)))))) }

        var merges = [UInt64: UInt64](minimumCapacity: mergeStrings.count)
        for (rank, merge) in mergeStrings.enumerated() {
            // Split at the first space after the first byte, as llama.cpp does.
            let utf8 = Array(merge.utf8)
            guard utf8.count > 1, let space = utf8[1...].firstIndex(of: 0x20) else { continue }
            var joined = utf8
            joined.remove(at: space)
            let left = symbol(ByteKey(utf8[..<space])), right = symbol(ByteKey(utf8[(space + 1)...]))
            let key = UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))
            if merges[key] != nil { continue }  // the first rank of a duplicated merge wins
            merges[key] = UInt64(rank) << 32 | UInt64(UInt32(symbol(ByteKey(joined))))
        }

        var special = [(id: Int32, text: [UInt8], type: TokenType)]()
        for (i, type) in types.enumerated() where type.isSpecial && !tokens[i].isEmpty {
            special.append((Int32(i), Array(tokens[i].utf8), type))
        }
        special.sort { $0.text.count != $1.text.count ? $0.text.count > $1.text.count : $0.id < $1.id }

        var storage = [UInt8]()
        var starts = [Int]()
        starts.reserveCapacity(tokens.count + 1)
        for (i, text) in tokens.enumerated() {
            starts.append(storage.count)
            switch types[i] {
            case .normal: storage.append(contentsOf: ByteLevelEncoding.decode(text))
            case .control, .userDefined, .unknown: storage.append(contentsOf: text.utf8)
            case .unused, .byte, .undefined: break
            }
        }
        starts.append(storage.count)

        self.tokens = tokens
        self.tokenTypes = types
        self.preTokenizer = preTokenizer
        self.bosID = bosID
        self.eosID = eosID
        self.eotID = eot
        self.padID = padID
        self.unknownID = unknownID
        self.endOfGenerationIDs = endOfGeneration
        self.addBOS = addBOS
        self.addEOS = addEOS
        self.tokenToID = tokenToID
        self.merges = merges
        self.byteSymbols = byteSymbols
        self.extraSymbols = extraSymbols
        self.specialTokens = special
        self.tokenByteStorage = storage
        self.tokenByteStarts = starts
    }

    /// The id of a vocabulary entry's exact text (byte-mapped for normal tokens), if any.
    public func id(forTokenText text: String) -> Int32? { tokenToID[ByteKey(text)] }

    /// Whether generation should stop at `id`.
    public func isEndOfGeneration(_ id: Int32) -> Bool { endOfGenerationIDs.contains(id) }

    // MARK: - Piece cache

    func cachedPiece(_ bytes: [UInt8]) -> [Int32]? {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        return pieceCache[ByteKey(bytes)]
    }

    func storePiece(_ bytes: [UInt8], _ ids: [Int32]) {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if pieceCache.count >= Self.pieceCacheLimit { pieceCache.removeAll(keepingCapacity: true) }
        pieceCache[ByteKey(bytes)] = ids
    }
}
