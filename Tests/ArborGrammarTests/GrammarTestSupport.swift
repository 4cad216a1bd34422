import ArborGrammar
import ArborSchema
import XCTest

/// Shared helpers: compile schema text, match whole texts, and a seeded random generator.
enum GrammarTestSupport {
    static func document(_ schemaText: String) throws -> SchemaDocument {
        try SchemaDocument(compiling: try JSONValue(parsing: schemaText))
    }

    static func schemaGrammar(_ schemaText: String, options: SchemaGrammarOptions = SchemaGrammarOptions()) throws -> SchemaGrammar {
        try SchemaGrammarBuilder.grammar(for: try document(schemaText), options: options)
    }

    /// A vocabulary of the 256 single bytes plus an end token (id 256).
    static let byteVocabulary = TokenVocabulary(tokens: (0...255).map { [UInt8($0)] } + [[]], endTokenIDs: [256])

    /// Whether the grammar accepts exactly `text` (read as one inserted text).
    static func accepts(_ compiled: CompiledGrammar, _ text: String) -> Bool {
        var matcher = GrammarMatcher(compiled)
        return matcher.acceptText(Array(text.utf8)) && matcher.isComplete
    }
}

/// SplitMix64: small, fast, and the same sequence on every platform for a given seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
