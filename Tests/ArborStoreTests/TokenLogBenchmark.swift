import ArborStore
import ArborStoreTestSupport
import Foundation
import XCTest

/// Append throughput of the token log; run by hand, not a timed assertion:
/// `ARBOR_STORE_BENCH=1 swift test -c release --filter TokenLogBenchmark`.
final class TokenLogBenchmark: XCTestCase {
    func testAppendHundredThousandTokensInBatchesOf64() throws {
        guard ProcessInfo.processInfo.environment["ARBOR_STORE_BENCH"] == "1" else {
            throw XCTSkip("set ARBOR_STORE_BENCH=1 to run the token log benchmark")
        }
        let directory = try makeTemporaryDirectory(self)
        try measureAppend(label: "in memory", store: RunStore())
        for durability in [RunStore.Durability.survivesProcessCrash, .survivesPowerLoss] {
            let file = directory.appendingPathComponent("bench-\(durability).sqlite").path
            try measureAppend(label: "\(durability)", store: RunStore(path: file, durability: durability))
        }
    }

    private func measureAppend(label: String, store: RunStore) throws {
        let run = sampleRun()
        try store.createRun(run)
        let total = 100_000
        let batch = 64
        let batches = stride(from: 0, to: total, by: batch).map {
            sampleTokens(runID: run.id, seqs: $0..<min($0 + batch, total))
        }
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            for tokens in batches { try store.appendTokens(tokens, to: run.id) }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        print(String(format: "token log (%@): %d tokens in batches of %d: %.3f s, %.0f tokens/s, %.1f µs per commit",
                     label, total, batch, seconds, Double(total) / seconds, seconds / Double(batches.count) * 1e6))
        XCTAssertEqual(try store.run(id: run.id)?.tokenCount, total)
    }
}
