import ArborStore
import Foundation
import XCTest

/// Append throughput of the token log; run by hand, not a timed assertion:
/// `ARBOR_STORE_BENCH=1 swift test -c release --filter TokenLogBenchmark`.
final class TokenLogBenchmark: XCTestCase {
    func testAppendHundredThousandTokensInBatchesOf64() throws {
        guard ProcessInfo.processInfo.environment["ARBOR_STORE_BENCH"] == "1" else {
            throw XCTSkip("set ARBOR_STORE_BENCH=1 to run the token log benchmark")
        }
        for durability in [RunStore.Durability.survivesProcessCrash, .survivesPowerLoss] {
            try measureAppend(durability: durability)
        }
    }

    private func measureAppend(durability: RunStore.Durability) throws {
        let directory = try makeTemporaryDirectory(self)
        let store = try RunStore(path: directory.appendingPathComponent("bench.sqlite").path, durability: durability)
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
                     "\(durability)", total, batch, seconds, Double(total) / seconds, seconds / Double(batches.count) * 1e6))
        XCTAssertEqual(try store.run(id: run.id)?.tokenCount, total)
    }
}
