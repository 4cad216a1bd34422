import ArborBench
import ArborRuntime
import XCTest

/// `arbor bench --store` measures what it says on tiny sizes: the same tree with and without
/// the store, and a resume that replays the recorded tokens and samples a new one.
final class StoreBenchmarkTests: XCTestCase {
    func testOverheadRunsTheSameTreeWithAndWithoutTheStore() async throws {
        _ = try BenchFixtures.loadModel()
        let bench = try StoreBenchmark(modelPath: BenchFixtures.modelPath, threads: 2, contextSlots: 1024)
        let overhead = try await bench.measureOverhead(essayCharacters: 40, repetitions: 2)
        XCTAssertTrue(overhead.sameDocument, "greedy runs with and without the store decode the same tree")
        XCTAssertEqual(overhead.withoutStore.count, 2)
        XCTAssertEqual(overhead.withStore.count, 2)
        XCTAssertEqual(overhead.withDefaultsStore.count, 2, "the store with SQLite's defaults runs beside the tuned one")
        XCTAssertEqual(overhead.cpuWithStore.count, 2)
        for direct in overhead.directWithStore + overhead.directWithDefaultsStore {
            XCTAssertTrue(direct.isFinite && direct > 0, "the recorder takes some time: \(direct) %")
        }
        XCTAssertGreaterThanOrEqual(overhead.timings.tokens, 2 * overhead.treeTokens, "both timed runs' tokens, prompts included")
        XCTAssertGreaterThan(overhead.timings.rowBytes, 0, "KV rows were copied")
        XCTAssertGreaterThan(overhead.generatedTokens, 10, "the answer's minimum length makes the model write")
        XCTAssertGreaterThanOrEqual(overhead.treeTokens, overhead.generatedTokens)
        for rate in overhead.withoutStore + overhead.withStore {
            XCTAssertTrue(rate.isFinite && rate > 0, "a rate of \(rate) tokens/s")
        }
        XCTAssertTrue(overhead.overheadPercent.isFinite)
        XCTAssertLessThan(overhead.overheadPercent, 100, "the store run cannot take zero time")
    }

    func testResumeReplaysTheRecordedWorkingMemoryAndSamplesANewToken() async throws {
        _ = try BenchFixtures.loadModel()
        let bench = try StoreBenchmark(modelPath: BenchFixtures.modelPath, threads: 2, contextSlots: 1024)
        let resume = try await bench.measureResume(workingMemoryTokens: 400)
        XCTAssertGreaterThan(resume.promptTokens, 20)
        // The steering prefix aims at 400 tokens; the recording then samples four more.
        XCTAssertGreaterThan(resume.workingMemoryTokens, 300)
        XCTAssertLessThan(resume.workingMemoryTokens, 500)
        for phase in [resume.storeOpenSeconds, resume.progressReadSeconds, resume.promptSeconds,
                      resume.replaySeconds, resume.firstTokenSeconds] {
            XCTAssertTrue(phase.isFinite && phase >= 0)
        }
        XCTAssertGreaterThan(resume.replaySeconds, 0, "replaying hundreds of tokens takes a prefill")
        XCTAssertGreaterThan(resume.firstTokenSeconds, 0, "sampling and feeding a token takes a decode step")
        XCTAssertEqual(resume.totalSeconds, resume.storeOpenSeconds + resume.progressReadSeconds + resume.promptSeconds
                       + resume.replaySeconds + resume.firstTokenSeconds, accuracy: 1e-9)
        XCTAssertGreaterThan(resume.modelLoadSeconds, 0)
    }
}
