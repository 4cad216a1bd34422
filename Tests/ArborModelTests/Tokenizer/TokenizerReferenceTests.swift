@testable import ArborModel
import ArborTestSupport
import Foundation
import XCTest

/// Ids must equal llama.cpp's for every line of the reference files in shared/reference.
final class TokenizerReferenceTests: XCTestCase {
    struct ReferenceLine: Decodable {
        let text: String
        let ids: [Int32]
        let parse_special: Bool
    }

    static func referenceLines(_ name: String) throws -> [ReferenceLine] {
        let path = GGUFTestSupport.packageRoot + "/Tests/ArborModelTests/Fixtures/" + name
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONDecoder().decode(ReferenceLine.self, from: Data($0.utf8))
        }
    }

    /// llama-tokenize processes backslash escapes in its input by default (`\\n`, `\\t`, `\\\\`,
    /// …; unknown ones stay as they are), and the reference files were made that way.
    static func llamaTokenizeEscapes(_ text: String) -> String {
        var out = [UInt8]()
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count else {
                out.append(bytes[i]); i += 1; continue
            }
            let next = bytes[i + 1]
            switch next {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(next)
            default: out.append(contentsOf: [UInt8(ascii: "\\"), next])
            }
            i += 2
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func tokenizer(_ path: String) throws -> BPETokenizer {
        try TokenizerCache.tokenizer(for: path)
    }

    private func checkReference(file: String, modelPath: String) throws {
        let tokenizer = try Self.tokenizer(modelPath)
        let lines = try Self.referenceLines(file)
        XCTAssertGreaterThan(lines.count, 0)
        for line in lines {
            let ids = tokenizer.encode(Self.llamaTokenizeEscapes(line.text), parseSpecial: line.parse_special)
            XCTAssertEqual(ids, line.ids, "text: \(line.text.debugDescription)")
        }
    }

    func testSmolLM2IdsMatchLlamaCppForEveryReferenceLine() throws {
        try checkReference(file: "tokenizer.jsonl", modelPath: try ModelFiles.defaultModelPath())
    }

    func testQwen2IdsMatchLlamaCppForEveryReferenceLine() throws {
        try checkReference(file: "qwen2-tokenizer.jsonl", modelPath: try ModelFiles.requiredQwenModelPath())
    }
}

/// Tokenizers are expensive to build (the vocabulary and merge table); tests share them.
enum TokenizerCache {
    nonisolated(unsafe) private static var built: [String: BPETokenizer] = [:]
    private static let lock = NSLock()

    static func tokenizer(for path: String) throws -> BPETokenizer {
        let file = try GGUFTestSupport.open(path)
        lock.lock()
        defer { lock.unlock() }
        if let tokenizer = built[path] { return tokenizer }
        let tokenizer = try BPETokenizer(gguf: file)
        built[path] = tokenizer
        return tokenizer
    }
}
