import ArborBench
import ArborModel
import ArborRuntime
import ArborSchema
import ArborStore
import Foundation
import XCTest

/// The long-job benchmark's machinery on a short job: the run cannot answer before its
/// minimum, goes over several summary rounds, records every round, and each round's peak KV
/// stays within its budget plus prompt plus the round's end.
final class LongJobBenchmarkTests: XCTestCase {
    func testAShortLongJobGoesPastItsMinimumOverRoundsWithinItsKVBudget() async throws {
        _ = try BenchFixtures.loadModel()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-long-job-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("runs.sqlite").path
        let minimum = 900, budget = 256
        let bench = try LongJobBenchmark(modelPath: BenchFixtures.modelPath, threads: 2)
        var seen: [Int] = []
        let result = try await bench.run(.init(minimumTokens: minimum, roundBudget: budget, maxTextLength: 48, maxDepth: 1,
                                               databasePath: path)) { seen.append($0.record.number) }

        let rounds = result.rounds
        XCTAssertGreaterThanOrEqual(rounds.count, 2)
        XCTAssertEqual(seen, Array(0..<rounds.count), "every round reported, in order")
        XCTAssertEqual(rounds.map(\.record.number), Array(0..<rounds.count))
        XCTAssertGreaterThanOrEqual(result.treeTokens, minimum)
        XCTAssertEqual(rounds.map(\.record.treeTokens).reduce(0, +), result.treeTokens)
        // Rounds that began below the minimum could not answer; the answering round began past it.
        XCTAssertTrue(rounds.dropLast().allSatisfy { $0.record.summary != nil })
        XCTAssertNil(rounds.last?.record.summary)
        XCTAssertGreaterThanOrEqual(rounds.dropLast().map(\.record.treeTokens).reduce(0, +), minimum)
        XCTAssertNotNil(result.output["exercises"])
        for round in rounds {
            let record = round.record
            XCTAssertGreaterThan(record.promptLength, 0)
            XCTAssertEqual(round.kvBudget, budget + record.promptLength)
            XCTAssertLessThanOrEqual(record.endKeptTokens, record.peakKeptTokens)
            XCTAssertGreaterThan(record.decodeSeconds, 0)
            // The runtime ends a round at the first top-level boundary past its budget: before
            // its last task began, fewer than `budget` tree tokens were kept, so the peak can
            // pass budget + prompt by at most that task and the summary (or answer) after it —
            // here under the budget itself (depth 1, texts of at most 48 characters).
            XCTAssertLessThanOrEqual(record.peakKVSlots, round.kvBudget + round.endAllowance, "round \(record.number)")
            XCTAssertLessThan(round.endAllowance, budget, "round \(record.number)")
            if record.summary != nil {
                // ended where one more task as large as any before, and the summary, could pass
                // the budget: within budget + prompt, having used a good part of the budget
                XCTAssertLessThanOrEqual(record.peakKVSlots, round.kvBudget, "round \(record.number) stays within budget + prompt")
                XCTAssertGreaterThanOrEqual(record.peakKeptTokens, budget / 2, "round \(record.number) used its budget")
            }
        }

        // The store holds the run: every round and every token.
        let store = try RunStore(path: path)
        let runID = try XCTUnwrap(result.runID)
        let details = try store.loadRun(id: runID)
        XCTAssertEqual(details.rounds.count, rounds.count)
        XCTAssertEqual(details.rounds.map(\.summary), rounds.map(\.record.summary))
        let logged = try store.tokens(runID: runID)
        XCTAssertEqual(logged.count, result.metrics.promptTokens + result.treeTokens)
        // ...with the KV rows of the tokens still cached at the end, as any recorded run keeps them
        XCTAssertGreaterThan(details.kvRows.rows, 0, "the long job records KV rows")
        // ...as a finished run with its real identity, like one `arbor run` records.
        XCTAssertEqual(details.run.status, .completed)
        XCTAssertEqual(try details.run.outputJSON.map { try JSONValue(parsing: $0) }, result.output)
        XCTAssertEqual(details.run.specSHA256, FileDigest.sha256(Array(details.run.specText.utf8)))
        XCTAssertEqual(details.run.modelSHA256, try FileDigest.sha256(ofFileAt: BenchFixtures.modelPath))
        XCTAssertEqual(details.run.inputsJSON, #"{"start":7}"#)
    }
}
