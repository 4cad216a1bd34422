import ArborSchema
import ArborStore
import Foundation
import XCTest

/// `arbor serve` on a 130,000-token run of 100 summary rounds (3,000 tasks, pruned subtask
/// lists, 100k token rows, the events a recorder writes for them, commit by commit): the
/// snapshot is capped, and the page in headless Chromium shows the answer within seconds,
/// drawing the last rounds and the earlier rounds' summaries instead of every task.
final class ServeLongRunTests: XCTestCase {
    static let rounds = 100, tasksPerRound = 10, subtasksPerTask = 2, tokensPerTask = 40

    /// Writes the run as a recorder would: per top-level task one commit with its tokens, its
    /// tree nodes and its events (opened, text, closed, the subtask list pruned, a checkpoint).
    static func writeLongRun(to path: String) throws -> String {
        let store = try RunStore(path: path)
        let id = "r-long"
        try store.createRun(Run(id: id, workflow: "long-job", specText: "name: long-job\n", specSHA256: String(repeating: "ab", count: 32),
                                inputsJSON: "{}", modelPath: "/m.gguf", modelSHA256: String(repeating: "ab", count: 32), samplingJSON: "{}"))
        var seq = 0
        var slots = 0
        for round in 0..<rounds {
            try store.checkpoint { tx in
                try tx.appendTokens((0..<100).map { TokenRecord(runID: id, seq: seq + $0, tokenID: 1, kind: .prompt, round: round) }, to: id)
            }
            seq += 100
            slots = 100
            for task in 0..<tasksPerRound {
                try store.checkpoint { tx in
                    func write(_ path: [Int]) throws {
                        let nodePath = NodePath(path), label = path.map(String.init).joined(separator: ".")
                        let first = seq
                        try tx.appendTokens((0..<tokensPerTask).map {
                            TokenRecord(runID: id, seq: seq + $0, tokenID: 2, kind: .generated, round: round, taskPath: nodePath)
                        }, to: id)
                        seq += tokensPerTask
                        slots += tokensPerTask
                        try tx.appendEvent(runID: id, kind: .nodeOpened, payload: .object(["round": .integer(round), "path": .string(label), "seq": .integer(first)]))
                        try tx.appendEvent(runID: id, kind: .text, payload: .object([
                            "round": .integer(round), "path": .string(label), "kind": .string("generated"),
                            "text": .string("{\"thought\": \"step \(label) of round \(round)\""), "firstSeq": .integer(first), "tokens": .integer(tokensPerTask)]))
                        try tx.upsertNodeWithAncestors(TreeNode(runID: id, path: nodePath, round: round, thought: "step \(label) of round \(round)",
                                                                conclusion: "done \(label)", state: .closed, firstTokenSeq: first, endTokenSeq: seq))
                        try tx.appendEvent(runID: id, kind: .nodeClosed, payload: .object([
                            "round": .integer(round), "path": .string(label), "thought": .string("step \(label) of round \(round)"),
                            "conclusion": .string("done \(label)"), "tool": .null]))
                    }
                    try write([task])
                    let listStart = seq
                    for sub in 0..<subtasksPerTask { try write([task, sub]) }
                    // the finished subtask list leaves the cache
                    _ = try tx.markPruned(id, seqs: listStart..<seq)
                    slots -= seq - listStart
                    try tx.appendEvent(runID: id, kind: .pruned, payload: .object(["from": .integer(listStart), "to": .integer(seq)]))
                    try tx.appendEvent(runID: id, kind: .checkpoint, payload: .object(["tokens": .integer(seq), "kvSlots": .integer(slots), "round": .integer(round)]))
                }
            }
            try store.saveRound(Round(runID: id, number: round, summary: round == rounds - 1 ? nil : "* round \(round): ten steps done",
                                      promptTokens: 100, generatedTokens: tasksPerRound * (1 + subtasksPerTask) * tokensPerTask, finishedAt: Date()))
        }
        try store.finishRun(id, outputJSON: #"{"answer": 42}"#)
        return id
    }

    func testAHundredThousandTokenRunHasACappedSnapshotAndItsPageShowsTheAnswerWithinSeconds() throws {
        try ServePageTests.requireChromium()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-long-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("runs.sqlite").path
        let id = try Self.writeLongRun(to: database)
        let (_, base) = try ServeCommandTests.startServer(database: database, testCase: self)

        let snapshot = try ServeCommandTests.curl(base + "/api/runs/\(id)")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(snapshot.utf8)) as? [String: Any])
        let run = try XCTUnwrap(object["run"] as? [String: Any])
        XCTAssertEqual((run["tree"] as? [Any])?.count, 1000, "the default cap")
        XCTAssertEqual((object["omitted"] as? [String: Any])?["tree"] as? Int, Self.rounds * Self.tasksPerRound * (1 + Self.subtasksPerTask) - 1000)
        XCTAssertEqual((run["progress"] as? [String: Any])?["tokens"] as? Int, Self.rounds * (100 + Self.tasksPerRound * 3 * Self.tokensPerTask))
        let small = try ServeCommandTests.curl(base + "/api/runs/\(id)?limit=200")
        XCTAssertLessThan(small.utf8.count, 120_000, "what the page asks for stays small: \(small.utf8.count) bytes")

        let screenshot = ServePageTests.artifactsFolder.appendingPathComponent("arbor-serve-long-run.png").path
        try FileManager.default.createDirectory(at: ServePageTests.artifactsFolder, withIntermediateDirectories: true)
        let result = try ServePageTests.runScript("page_check.py", ["--url", base, "--run", id, "--screenshot", screenshot, "--timeout", "120"])
        let load = try XCTUnwrap(result["loadSeconds"] as? Double)
        let events = result["events"] as? Int ?? 0
        let renders = (result["renderMs"] as? [Double]) ?? []
        print(String(format: "arbor serve: a %d-token run of %d rounds: page shows the answer %.2f s after opening (%d events replayed), render %.0f ms, all %d rounds drawn on request in %.2f s",
                     Self.rounds * (100 + Self.tasksPerRound * 3 * Self.tokensPerTask), Self.rounds, load, events,
                     renders.max() ?? -1, Self.rounds, result["allRoundsSeconds"] as? Double ?? -1))
        XCTAssertEqual(result["status"] as? String, "completed")
        XCTAssertGreaterThan(events, 10_000, "every event was replayed")
        XCTAssertLessThan(load, 30, "the page shows the answer of a 100k-token run within seconds")
        let nodes = result["nodes"] as? Int ?? 0
        XCTAssertLessThanOrEqual(nodes, 3 * Self.tasksPerRound * (1 + Self.subtasksPerTask), "only the last three rounds' tasks are drawn")
        XCTAssertGreaterThan(nodes, 0)
        XCTAssertEqual(result["earlierSummaries"] as? Int, Self.rounds - 3, "earlier rounds as their summaries")
        XCTAssertGreaterThan(result["pruned"] as? Int ?? 0, 0, "the pruned subtask lists are greyed")
        XCTAssertEqual(result["allRoundsNodes"] as? Int, Self.rounds * Self.tasksPerRound * (1 + Self.subtasksPerTask), "and every task on request")
    }
}
