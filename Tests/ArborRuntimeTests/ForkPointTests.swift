import ArborModel
import ArborRecording
import ArborRuntime
import ArborSchema
import ArborStore
import ArborTools
import Foundation
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

        let afterFirst = try XCTUnwrap(ForkPoint(progress: progress, endingAfterTask: NodePath([0]), tokenizer: tokenizer))
        XCTAssertEqual(afterFirst.treeTokens, first.count)
        XCTAssertEqual(afterFirst.toolCalls, 1)
        let afterInner = try XCTUnwrap(ForkPoint(progress: progress, endingAfterTask: NodePath([0, 0]), tokenizer: tokenizer))
        XCTAssertLessThan(afterInner.treeTokens, afterFirst.treeTokens)
        XCTAssertEqual(ForkPoint(progress: progress, endingAfterTask: NodePath([1]), tokenizer: tokenizer)?.toolCalls, 1)
        XCTAssertNil(ForkPoint(progress: progress, endingAfterTask: NodePath([2]), tokenizer: tokenizer), "no such task")
    }

    func testPathsRepeatPerRoundAndTheRoundPicksWhichTaskTheForkFollows() throws {
        let (_, tokenizer, _) = try RuntimeFixtures.loadModel()
        func tokens(_ text: String, _ kind: TokenKind) -> [(id: Int32, kind: TokenKind)] {
            tokenizer.encode(text, parseSpecial: false).map { ($0, kind) }
        }
        let round0 = tokens(#"{"reasoning":[{"thought":"A.","conclusion":"B."}],"summary":"* B."}"#, .generated)
        let prompt1 = tokens("<history>* B.</history>", .prompt)
        let round1 = tokens(#"{"reasoning":[{"thought":"C.","tooluse":{"tool_name":"count","parameters":{"text":"ab"},"tool_result":"#, .forced)
            + tokens(#"{"length":2}"#, .toolResult)
            + tokens(#"},"conclusion":"D."}"#, .generated)
        let rest = tokens(#"],"answer":{"result":"2"}}"#, .generated)
        let progress = RecordedProgress(promptTokens: [1, 2], tokens: round0 + prompt1 + round1 + rest, toolCalls: [])

        let inFirst = try XCTUnwrap(ForkPoint(progress: progress, endingAfterTask: NodePath([0]), inRound: 0, tokenizer: tokenizer))
        XCTAssertEqual(inFirst.round, 0)
        XCTAssertEqual(inFirst.toolCalls, 0)
        XCTAssertEqual(inFirst.finishedTasks.map(\.task.thought), ["A."])
        let inSecond = try XCTUnwrap(ForkPoint(progress: progress, endingAfterTask: NodePath([0]), inRound: 1, tokenizer: tokenizer))
        XCTAssertEqual(inSecond.round, 1)
        XCTAssertEqual(inSecond.treeTokens, round0.count + prompt1.count + round1.count)
        XCTAssertEqual(inSecond.toolCalls, 1)
        XCTAssertEqual(inSecond.finishedTasks.map(\.round), [0, 1])
        XCTAssertEqual(inSecond.finishedTasks.map(\.task.conclusion), ["B.", "D."])
        XCTAssertEqual(ForkPoint(progress: progress, endingAfterTask: NodePath([0]), tokenizer: tokenizer), inSecond,
                       "without a round: the last round in which the task finished")
        XCTAssertNil(ForkPoint(progress: progress, endingAfterTask: NodePath([0]), inRound: 2, tokenizer: tokenizer), "no third round")
        XCTAssertNil(ForkPoint(progress: progress, endingAfterTask: NodePath([1]), inRound: 1, tokenizer: tokenizer))
    }

    func testAForkInALaterRoundKeepsTheEarlierRoundsAndGoesOnAsTheSourceRunDid() async throws {
        let workflow = try TokenLimitClosingTests.workflow("rounds.yaml")
        let (file, tokenizer, template) = try RuntimeFixtures.loadModel()
        let model = try Transformer(file: file, threads: 2, contextSlots: 2048)
        let toolBox = try await ToolBox(workflow: workflow)
        let runner = WorkflowRunner(workflow: workflow, model: model, tokenizer: tokenizer, chatTemplate: template, tools: toolBox)
        // Two first tasks take the first round past its budget of 64 kept tree tokens.
        let steer = RuntimeFixtures.forcedPrefix(
            #"{"reasoning":[{"thought":"The question asks how many legs three spiders have.","#
                + #""conclusion":"A spider has eight legs, so I must multiply."},"#
                + #"{"thought":"Multiply eight by three.","conclusion":"Three spiders have 24 legs."}"#,
            tokenizer: tokenizer)
        let inputs: JSONObject = ["question": "How many legs do three spiders have?"]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-fork-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try RunStore(path: folder.appendingPathComponent("runs.sqlite").path)
        let source = TokenLimitClosingTests.run(id: "r-source")
        try store.createRun(source)
        let recorder = StoreRecorder(store: store, runID: source.id)
        runner.recorder = recorder
        let report = try await runner.run(inputs: inputs, resuming: steer)
        try recorder.commit()
        XCTAssertGreaterThanOrEqual(report.rounds.count, 2, "the steered first round passes its budget")
        let recorded = try store.loadRun(id: source.id)
        let later = try XCTUnwrap(recorded.nodes.filter { $0.round > 0 && $0.path == NodePath([0]) }.map(\.round).max(),
                                  "a later round has a first task")

        let progress = try store.recordedProgress(runID: source.id)
        let point = try XCTUnwrap(ForkPoint(progress: progress, endingAfterTask: NodePath([0]), inRound: later, tokenizer: tokenizer))
        XCTAssertEqual(point.round, later)
        XCTAssertEqual(ForkPoint(progress: progress, endingAfterTask: NodePath([0]), tokenizer: tokenizer)?.round, later,
                       "the default is the last round that has the task")
        let first = try XCTUnwrap(ForkPoint(progress: progress, endingAfterTask: NodePath([0]), inRound: 0, tokenizer: tokenizer))
        XCTAssertLessThan(first.treeTokens, point.treeTokens)

        // The fork keeps the earlier rounds and the tasks so far; decoded on with the same
        // greedy settings it must write what the source run wrote after that task.
        let fork = try point.recordFork(of: source, progress: progress, options: runner.options, in: store)
        let kept = try store.loadRun(id: fork.id)
        XCTAssertEqual(kept.run.forkedAtRound, later)
        XCTAssertEqual(kept.run.forkedAtPath, NodePath([0]))
        XCTAssertEqual(kept.rounds.map(\.summary), recorded.rounds.filter { $0.number < later }.map(\.summary))
        XCTAssertEqual(kept.nodes.filter { $0.round < later }.count, recorded.nodes.filter { $0.round < later }.count)
        XCTAssertTrue(kept.nodes.contains { $0.round == later && $0.path == NodePath([0]) })
        XCTAssertEqual(kept.run.tokenCount, progress.promptTokens.count + point.treeTokens)

        runner.recorder = StoreRecorder(store: store, runID: fork.id)
        let forked = try await runner.run(inputs: inputs, resuming: try store.recordedProgress(runID: fork.id))
        try (runner.recorder as? StoreRecorder)?.commit()
        XCTAssertEqual(forked.output, report.output)
        XCTAssertEqual(forked.rounds.map(\.summary), report.rounds.map(\.summary))
        XCTAssertEqual(forked.document.compactString, report.document.compactString)
        XCTAssertEqual(try store.loadRun(id: fork.id).rounds.count, report.rounds.count, "every round is in the fork's record")
        await toolBox.shutdown()
    }
}
