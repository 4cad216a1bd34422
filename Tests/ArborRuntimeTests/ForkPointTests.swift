import ArborModel
import ArborRuntime
import ArborStore
import XCTest

final class ForkPointTests: XCTestCase {
    func testAForkKeepsTheTokensThroughTheChosenTaskAndItsToolCalls() throws {
        let (_, tokenizer, _) = try RuntimeFixtures.loadModel()
        func tokens(_ text: String, _ kind: TokenKind) -> [(id: Int32, kind: TokenKind)] {
            tokenizer.encode(text, parseSpecial: false).map { ($0, kind) }
        }
        let first = tokens(#"{"reasoning":[{"thought":"Look.","tooluse":{"tool_name":"count","parameters":{"text":"ab"},"tool_result":"#, .forced)
            + tokens(#"{"length":2}"#, .toolResult)
            + tokens(#"},"subtasks":[{"thought":"Inner.","conclusion":"Done."}],"conclusion":"Two."}"#, .generated)
        let rest = tokens(#",{"thought":"More.","conclusion":"Three."}],"answer":{"result":"2"}}"#, .generated)
        let progress = RecordedProgress(promptTokens: [1, 2], tokens: first + rest, toolCalls: [])

        let afterFirst = try XCTUnwrap(ForkPoint(progress: progress, endingAfterTask: [0], tokenizer: tokenizer))
        XCTAssertEqual(afterFirst.treeTokens, first.count)
        XCTAssertEqual(afterFirst.toolCalls, 1)
        let afterInner = try XCTUnwrap(ForkPoint(progress: progress, endingAfterTask: [0, 0], tokenizer: tokenizer))
        XCTAssertLessThan(afterInner.treeTokens, afterFirst.treeTokens)
        XCTAssertEqual(ForkPoint(progress: progress, endingAfterTask: [1], tokenizer: tokenizer)?.toolCalls, 1)
        XCTAssertNil(ForkPoint(progress: progress, endingAfterTask: [2], tokenizer: tokenizer), "no such task")
    }
}
