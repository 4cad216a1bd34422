import ArborGrammar
import ArborModel
@testable import ArborRuntime
import ArborRecording
import ArborSchema
import ArborSpec
import ArborStore
import ArborTools
import Foundation
import XCTest

/// A run that reaches its token limit closes its tree the shortest way, lets the model write
/// the answer in the tokens held in reserve, says so, and resumes exactly like any other run.
final class TokenLimitClosingTests: XCTestCase {
    /// `token-limit.yaml` (or `rounds.yaml`) from the fixtures.
    static func workflow(_ name: String = "token-limit.yaml") throws -> Workflow {
        try WorkflowLoader.loadValid(path: RuntimeFixtures.path(name))
    }

    private let inputs: JSONObject = ["question": "How many legs do three spiders and two cats have together?"]

    /// A runner of `token-limit.yaml` whose rounds may write `maxTokens` tokens (--max-tokens).
    private func runner(maxTokens: Int) async throws -> (WorkflowRunner, BPETokenizer, ToolBox) {
        let workflow = try Self.workflow()
        let (file, tokenizer, template) = try RuntimeFixtures.loadModel()
        let model = try Transformer(file: file, threads: 2, contextSlots: 1024)
        let toolBox = try await ToolBox(workflow: workflow)
        let runner = WorkflowRunner(workflow: workflow, model: model, tokenizer: tokenizer, chatTemplate: template, tools: toolBox)
        runner.options.maxTokens = maxTokens
        return (runner, tokenizer, toolBox)
    }

    /// How many sampled tokens of `log` lie after the root's `"answer":` key.
    private func sampledAnswerTokens(_ log: [(id: Int32, kind: TokenKind)], tokenizer: BPETokenizer) -> Int {
        var tracker = TreeTracker()
        var sampled = 0
        for token in log {
            if tracker.isInFinalValue && token.kind == .generated { sampled += 1 }
            _ = tracker.consume(tokenizer.tokenBytes(token.id))
        }
        return sampled
    }

    /// The greedy model, steered into its first thought, writes about 110 tokens when nothing
    /// stops it; 90 makes it close.
    private static let limit = 90
    private static let steerText = #"{"reasoning":[{"thought":"Spiders have eight legs each, so"#

    func testARunAtItsTokenLimitClosesItsTreeAndTheModelWritesTheAnswerInTheReserve() async throws {
        let (runner, tokenizer, toolBox) = try await runner(maxTokens: Self.limit)
        let steer = RuntimeFixtures.forcedPrefix(Self.steerText, tokenizer: tokenizer)
        let store = try RunStore(path: temporaryDatabase())
        try store.createRun(Self.run(id: "r-limit"))
        let recorder = StoreRecorder(store: store, runID: "r-limit")
        runner.recorder = recorder

        let report = try await runner.run(inputs: inputs, resuming: steer)
        try recorder.commit()
        XCTAssertTrue(report.metrics.closedAtTokenLimit)
        XCTAssertTrue(report.answerClosedAtTokenLimit)
        XCTAssertEqual(report.roundsClosedAtTokenLimit, [0])
        XCTAssertNotNil(report.tokenLimitWarning)
        XCTAssertEqual(report.json.objectValue?["closed_at_token_limit"], .bool(true))
        XCTAssertLessThanOrEqual(report.metrics.generatedTokens + report.metrics.forcedTokens, Self.limit)
        XCTAssertNotNil(report.output.objectValue?["result"], "the answer is valid against the output schema")
        XCTAssertNotNil(report.document.objectValue?["reasoning"])
        let log = try store.recordedProgress(runID: "r-limit").tokens
        XCTAssertGreaterThan(sampledAnswerTokens(log, tokenizer: tokenizer), 0, "the model wrote (part of) the answer itself")
        XCTAssertEqual(try JSONValue(parsing: log.flatMap { tokenizer.tokenBytes($0.id) }), report.document,
                       "the record holds the closed tree")

        // The store keeps the flag with the finished run, and `arbor inspect` shows it.
        try store.finishRun("r-limit", outputJSON: report.output.compactString, closedAtTokenLimit: report.answerClosedAtTokenLimit)
        let details = try store.loadRun(id: "r-limit")
        XCTAssertTrue(details.run.closedAtTokenLimit)
        XCTAssertTrue(RunDetailsReport.text(details, now: Date()).contains("closed at the token limit"))
        let json = try JSONValue(parsing: Array(RunDetailsReport.json(details).utf8))
        XCTAssertEqual(json.objectValue?["closedAtTokenLimit"], .bool(true))
        await toolBox.shutdown()
    }

    func testARunResumedAtAnyTokenNearItsLimitEndsInTheSameClosedTree() async throws {
        let (runner, tokenizer, toolBox) = try await runner(maxTokens: Self.limit)
        let steer = RuntimeFixtures.forcedPrefix(Self.steerText, tokenizer: tokenizer)
        let store = try RunStore(path: temporaryDatabase())
        try store.createRun(Self.run(id: "r-reference"))
        let recorder = StoreRecorder(store: store, runID: "r-reference")
        runner.recorder = recorder
        let reference = try await runner.run(inputs: inputs, resuming: steer)
        try recorder.commit()
        runner.recorder = nil
        XCTAssertTrue(reference.metrics.closedAtTokenLimit)
        let recorded = try store.recordedProgress(runID: "r-reference")
        let log = recorded.tokens

        // A kill keeps the log up to its last commit, which may fall inside a step (a task
        // that closes inside forced text commits): resume from cuts all over the end of the
        // run — while the model reasons, while the tree is closed, while it writes the answer.
        var cuts = Array(stride(from: log.count - 1, to: max(log.count - 45, 1), by: -4))
        cuts += [log.count / 3, log.count / 2]
        // a tool result is recorded whole, in one commit: no cut falls inside one
        for cut in cuts where !(log[cut - 1].kind == .toolResult && log[cut].kind == .toolResult) {
            let progress = RecordedProgress(promptTokens: recorded.promptTokens, tokens: Array(log.prefix(cut)),
                                            toolCalls: recorded.toolCalls)
            let resumed = try await runner.run(inputs: inputs, resuming: progress)
            XCTAssertEqual(resumed.document.compactString, reference.document.compactString, "resumed after \(cut) of \(log.count) tokens")
            XCTAssertTrue(resumed.metrics.closedAtTokenLimit, "resumed after \(cut) tokens")
            XCTAssertEqual(resumed.metrics.generatedTokens + resumed.metrics.forcedTokens,
                           reference.metrics.generatedTokens + reference.metrics.forcedTokens, "resumed after \(cut) tokens")
        }

        // Stopped as `arbor run` stops on SIGINT (the record committed), then resumed from the store.
        let counter = RuntimeFixtures.StepCounter(attachedTo: runner)
        _ = try await runner.run(inputs: inputs, resuming: steer)
        let totalSteps = counter.steps
        for (index, stop) in [totalSteps - 20, totalSteps - 3].enumerated() {
            let id = "r-stop\(index)"
            try store.createRun(Self.run(id: id))
            let stopped = StoreRecorder(store: store, runID: id)
            runner.recorder = stopped
            counter.steps = 0
            counter.stopAfter = stop
            do {
                _ = try await runner.run(inputs: inputs, resuming: steer)
                XCTFail("the run should have stopped after \(stop) of \(totalSteps) steps")
            } catch RuntimeError.interrupted {}
            try stopped.commit()
            counter.stopAfter = .max
            runner.recorder = StoreRecorder(store: store, runID: id)
            let resumed = try await runner.run(inputs: inputs, resuming: try store.recordedProgress(runID: id))
            XCTAssertEqual(resumed.document.compactString, reference.document.compactString, "stopped after \(stop) steps")
            XCTAssertTrue(resumed.metrics.closedAtTokenLimit, "stopped after \(stop) steps")
        }
        runner.recorder = nil
        await toolBox.shutdown()
    }

    func testRoundsThatMustGoOnCloseWithASummaryAtTheLimitAndTheLastRoundAnswers() async throws {
        // rounds.yaml with a budget the rounds never reach: only the token limit ends them
        let text = try String(contentsOfFile: RuntimeFixtures.path("rounds.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "round_budget: 64", with: "round_budget: 1000")
        let (loaded, diagnostics) = WorkflowLoader.load(text: text, file: "rounds.yaml")
        let workflow = try XCTUnwrap(loaded, "\(diagnostics)")
        let (file, tokenizer, template) = try RuntimeFixtures.loadModel()
        let model = try Transformer(file: file, threads: 2, contextSlots: 2048)
        let toolBox = try await ToolBox(workflow: workflow)
        let runner = WorkflowRunner(workflow: workflow, model: model, tokenizer: tokenizer, chatTemplate: template, tools: toolBox)
        runner.options.maxTokens = 90
        runner.options.minimumTokens = 100_000
        let store = try RunStore(path: temporaryDatabase())
        try store.createRun(Self.run(id: "r-rounds"))
        let recorder = StoreRecorder(store: store, runID: "r-rounds")
        runner.recorder = recorder

        let report = try await runner.run(inputs: inputs)
        try recorder.commit()
        runner.recorder = nil
        XCTAssertEqual(report.rounds.count, 3, "max_rounds")
        XCTAssertEqual(report.roundsClosedAtTokenLimit, [0, 1, 2])
        for round in report.rounds.dropLast() {
            XCTAssertNotNil(round.summary, "round \(round.number) ends with a summary, written in the reserve")
            XCTAssertLessThanOrEqual(round.treeTokens, 90 + report.metrics.toolResultTokens)
        }
        XCTAssertTrue(report.answerClosedAtTokenLimit, "the last round answers at the limit")
        XCTAssertNotNil(report.output.objectValue?["result"])
        let warning = try XCTUnwrap(report.tokenLimitWarning)
        XCTAssertTrue(warning.contains("closed early"), warning)

        // Resumed inside each round (a prompt or a tool result is recorded whole): the same rounds.
        let recorded = try store.recordedProgress(runID: "r-rounds")
        let log = recorded.tokens
        for cut in [log.count * 3 / 10, log.count / 2, log.count * 7 / 10, log.count * 9 / 10, log.count - 2]
        where !(log[cut - 1].kind == log[cut].kind && (log[cut].kind == .prompt || log[cut].kind == .toolResult)) {
            let resumed = try await runner.run(inputs: inputs, resuming: RecordedProgress(
                promptTokens: recorded.promptTokens, tokens: Array(log.prefix(cut)), toolCalls: recorded.toolCalls))
            XCTAssertEqual(resumed.rounds.map(\.summary), report.rounds.map(\.summary), "resumed after \(cut) of \(log.count) tokens")
            XCTAssertEqual(resumed.document.compactString, report.document.compactString, "resumed after \(cut) tokens")
            XCTAssertEqual(resumed.roundsClosedAtTokenLimit, [0, 1, 2], "resumed after \(cut) tokens")
        }
        await toolBox.shutdown()
    }

    func testWhereNoClosingFitsTheRunStillFailsWithTheTokenLimitError() async throws {
        // Inside a tool's parameters every way to the end passes the tool result, which only
        // the tool can write: no closing is possible before the limit.
        let prefix = #"{"reasoning":[{"thought":"Add the legs.","tooluse":{"tool_name":"calculator","parameters":{"expression":"3 * 8"#
        let (_, tokenizer, _) = try RuntimeFixtures.loadModel()
        let prefixTokens = tokenizer.encode(prefix, parseSpecial: false).count
        let (runner, _, toolBox) = try await runner(maxTokens: prefixTokens + 2)
        do {
            let report = try await runner.run(inputs: inputs, resuming: RuntimeFixtures.forcedPrefix(prefix, tokenizer: tokenizer))
            XCTFail("the run cannot finish in \(prefixTokens + 2) tokens, yet answered \(report.output.compactString)")
        } catch RuntimeError.incomplete(let maxTokens, _) {
            XCTAssertEqual(maxTokens, prefixTokens + 2)
        }
        await toolBox.shutdown()
    }

    func testTheTrackerFindsTheStartOfTheFinalValue() {
        var tracker = TreeTracker()
        _ = tracker.consume(Array(#"{"reasoning":[{"thought":"a: b","conclusion":"c"#.utf8))
        XCTAssertFalse(tracker.isInFinalValue)
        XCTAssertEqual(tracker.bytesToFinalValue(in: Array(#""}],"answer":{"result":""}}"#.utf8)), 13)
        XCTAssertEqual(tracker.bytesToFinalValue(in: Array(#""}],"summary":""}"#.utf8)), 14)
        XCTAssertNil(tracker.bytesToFinalValue(in: Array(#""},{"thought":"x:y""#.utf8)), "a colon in a task is not the answer")
        _ = tracker.consume(Array(#""}],"answer":{"result":"#.utf8))
        XCTAssertTrue(tracker.isInFinalValue)
        _ = tracker.consume(Array(#""x"}}"#.utf8))
        XCTAssertFalse(tracker.isInFinalValue, "the document is complete")
    }

    func testAClosingStartsOnlyWithinTheWindowAndLeavesTheReserve() throws {
        let (_, tokenizer, _) = try RuntimeFixtures.loadModel()
        let workflow = try Self.workflow()
        let tree = try TreeGrammarBuilder.grammar(for: ReasoningTreeSpec(workflow: workflow))
        let grammar = try VocabularyCache.shared.compiled(tree.grammar, for: tokenizer)
        let closing = TokenLimitClosing(maxTokens: 400, grammar: grammar, hasTools: false)
        XCTAssertEqual(closing.answerMargin, 64)
        XCTAssertEqual(closing.toolCallAllowance, 0)
        var matcher = GrammarMatcher(grammar)
        XCTAssertTrue(matcher.acceptText(Array(#"{"reasoning":[{"thought":"Count the legs"#.utf8)))
        let needed = try XCTUnwrap(matcher.shortestCompletionLength)
        XCTAssertEqual(closing.forcedStepLimit(written: 0), 400 - closing.window, "forced text stops at the window")
        XCTAssertEqual(closing.forcedStepLimit(written: 400 - closing.window), 1)
        XCTAssertFalse(closing.mustClose(written: 400 - closing.window - 1) { 1_000 }, "nothing is decided before the window")
        let start = 400 - needed - closing.answerMargin
        XCTAssertFalse(closing.mustClose(written: start - 1) { needed })
        XCTAssertTrue(closing.mustClose(written: start) { needed }, "closing leaves the completion and the margin")
        XCTAssertFalse(closing.mustClose(written: start) { nil }, "no closing where every way on needs a hole")
        XCTAssertFalse(closing.mustFinish(written: 400 - needed - TokenLimitClosing.finalMargin - 1) { needed })
        XCTAssertTrue(closing.mustFinish(written: 400 - needed - TokenLimitClosing.finalMargin) { needed })
        let small = TokenLimitClosing(maxTokens: 100, grammar: grammar, hasTools: true)
        XCTAssertEqual(small.answerMargin, 25, "a small limit keeps room to reason")
        XCTAssertEqual(small.toolCallAllowance, 25, "with tools, room for a call begun before the closing")
        XCTAssertTrue(small.mustClose(written: 100 - 10 - 50) { 10 })
        XCTAssertFalse(small.mustClose(written: 100 - 10 - 51) { 10 })
    }

    private func temporaryDatabase() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-limit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder.appendingPathComponent("runs.sqlite").path
    }

    static func run(id: String) -> Run { RuntimeFixtures.run(id: id, workflow: "token-limit") }
}
