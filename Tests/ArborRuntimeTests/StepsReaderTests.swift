import ArborGrammar
@testable import ArborRuntime
import ArborSchema
import ArborSpec
import XCTest

/// The reader keeps its text, its last line and its answer marker as tokens arrive; each must
/// say what reading the whole text again would.
final class StepsReaderTests: XCTestCase {
    private func reader(_ syntax: TreeSyntax) throws -> StepsReader {
        let output = try SchemaDocument(jsonText: #"{"type":"object","properties":{"answer":{"type":"integer"}},"required":["answer"]}"#)
        return StepsReader(syntax: syntax, spec: ReasoningTreeSpec(tools: [], output: output))
    }

    /// The text cut into pieces of 1 to 4 bytes, as tokens cut it (inside characters too).
    private func pieces(_ bytes: [UInt8], seed: UInt64) -> [[UInt8]] {
        var state = seed, start = 0, pieces: [[UInt8]] = []
        while start < bytes.count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let end = min(bytes.count, start + 1 + Int(state >> 62))
            pieces.append(Array(bytes[start..<end]))
            start = end
        }
        return pieces
    }

    func testTheTextKeptAsItArrivesDecodesAsTheWholeText() throws {
        let texts: [[UInt8]] = [
            Array("Step 1: 3 × 4 = <<3*4=12>> é😀 naïve\nAnswer: 12".utf8),
            [0x41, 0xE2, 0x82, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0xC3, 0x28, 0xED, 0xA0, 0x80, 0x0A, 0xF4, 0x90, 0x80, 0x80, 0xE0, 0x80],
            Array("日本語のテキスト\n".utf8) + [0xE6, 0x97],
        ]
        for (index, text) in texts.enumerated() {
            for seed in 0..<20 as Range<UInt64> {
                var reader = try reader(.prose)
                var written: [UInt8] = []
                for piece in pieces(text, seed: seed) {
                    reader.consume(piece)
                    written += piece
                    XCTAssertEqual(reader.writtenText, String(decoding: written, as: UTF8.self), "text \(index), seed \(seed)")
                }
            }
        }
    }

    func testTheAnswerIsFoundWhereTheWholeTextWouldShowIt() throws {
        let cases: [(TreeSyntax, String)] = [
            (.steps, "Step 1: Pens cost <<8*7=56>> dollars.\nStep 2: So the answer is near.\nAnswer: 56"),
            (.prose, "Pens cost 8 * 7 = 56 dollars.\nThe Answer: is not here\n\n**Answer:** $56.\n"),
            (.prose, "Answer: 3"),
        ]
        for (syntax, text) in cases {
            for seed in 0..<10 as Range<UInt64> {
                var reader = try reader(syntax)
                var bytes: [UInt8] = []
                for piece in pieces(Array(text.utf8), seed: seed) {
                    reader.consume(piece)
                    bytes += piece
                    let written = String(decoding: bytes, as: UTF8.self)
                    XCTAssertEqual(reader.isInAnswer, Self.wholeTextIsInAnswer(written, syntax: syntax), "\(syntax) after \(written.debugDescription)")
                }
            }
        }
    }

    func testStepsAreReadOnlyWhenALineEnds() throws {
        var reader = try reader(.steps)
        reader.consume(Array("Step 1: Count".utf8))
        XCTAssertTrue(reader.readSteps(toolCalls: []).isEmpty)
        reader.consume(Array(" the legs.\nStep 2: Add".utf8))
        XCTAssertEqual(reader.readSteps(toolCalls: []).map(\.thought), ["Count the legs."])
        XCTAssertEqual(reader.currentPath, NodePath([1]))
        reader.consume(Array(" them.".utf8))
        XCTAssertTrue(reader.readSteps(toolCalls: []).isEmpty)
        reader.consume(Array("\nAnswer: 4".utf8))
        XCTAssertEqual(reader.readSteps(toolCalls: []).map(\.path), [NodePath([1])])
    }

    /// The question as it was asked before the reader kept its state: of the whole text.
    private static func wholeTextIsInAnswer(_ written: String, syntax: TreeSyntax) -> Bool {
        if syntax == .prose {
            let line = written.split(separator: "\n", omittingEmptySubsequences: false).last ?? ""
            return ProseGrammarBuilder.answerMarkers.contains { line.hasPrefix($0) }
        }
        return written.utf8.count >= 8 && written.contains("\nAnswer:")
    }
}
