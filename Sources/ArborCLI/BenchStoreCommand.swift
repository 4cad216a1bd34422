import ArborModel
import ArborRuntime
import Foundation

/// `arbor bench --store`: what durability costs — decoding speed with the SQLite store against
/// without it, and the time a resume takes to its first new token (issue 8's benchmark).
struct BenchStoreCommand {
    var modelPath: String
    var threads: Int
    var repetitions: Int
    var json: Bool
    /// Length of the overhead run's answer in characters (about 4 a token).
    var essayCharacters = 1600
    /// Prompt plus recorded tree tokens in the KV cache when the resume samples.
    var workingMemoryTokens = 4096

    func run() async throws {
        let bench = try StoreBenchmark(modelPath: modelPath, threads: threads)
        let overhead = try await bench.measureOverhead(essayCharacters: essayCharacters, repetitions: repetitions)
        let resume = try await bench.measureResume(workingMemoryTokens: workingMemoryTokens)
        if json {
            let object: [String: Any] = [
                "model": modelPath, "threads": threads, "repetitions": repetitions,
                "overhead": [
                    "tree_tokens": overhead.treeTokens, "generated_tokens": overhead.generatedTokens,
                    "without_store_tokens_per_second": overhead.withoutStore, "with_store_tokens_per_second": overhead.withStore,
                    "without_store_mean": overhead.withoutStoreMean, "without_store_stddev": overhead.withoutStoreStandardDeviation,
                    "with_store_mean": overhead.withStoreMean, "with_store_stddev": overhead.withStoreStandardDeviation,
                    "overhead_percent": overhead.overheadPercent, "same_document": overhead.sameDocument,
                ] as [String: Any],
                "resume": [
                    "prompt_tokens": resume.promptTokens, "replayed_tokens": resume.replayedTokens,
                    "working_memory_tokens": resume.workingMemoryTokens,
                    "store_open_ms": resume.storeOpenSeconds * 1000, "progress_read_ms": resume.progressReadSeconds * 1000,
                    "prompt_ms": resume.promptSeconds * 1000, "replay_ms": resume.replaySeconds * 1000,
                    "first_token_ms": resume.firstTokenSeconds * 1000, "total_ms": resume.totalSeconds * 1000,
                    "restore_tokens_per_second": resume.restoreTokensPerSecond, "restored_tokens": resume.restoredTokens, "model_load_ms": resume.modelLoadSeconds * 1000,
                ] as [String: Any],
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
            return
        }
        print(String(format: "checkpoint overhead: one greedy run of %d tree tokens (%d sampled), %d repetitions each way, %d threads",
                     overhead.treeTokens, overhead.generatedTokens, repetitions, threads))
        print(String(format: "  without store  %7.2f ± %5.2f tokens/s", overhead.withoutStoreMean, overhead.withoutStoreStandardDeviation))
        print(String(format: "  with store     %7.2f ± %5.2f tokens/s  (SQLite WAL file, commits every 64 tokens and at task ends)",
                     overhead.withStoreMean, overhead.withStoreStandardDeviation))
        print(String(format: "  overhead       %+6.2f %%  (goal ≤ 3 %%)%@", overhead.overheadPercent,
                     overhead.sameDocument ? "" : "; WARNING: the runs' trees differ"))
        print("")
        print(String(format: "resume latency: %d tokens of working memory (%d prompt + %d replayed)",
                     resume.workingMemoryTokens, resume.promptTokens, resume.replayedTokens))
        print(String(format: "  open store     %8.1f ms", resume.storeOpenSeconds * 1000))
        print(String(format: "  read progress  %8.1f ms", resume.progressReadSeconds * 1000))
        print(String(format: "  prompt         %8.1f ms", resume.promptSeconds * 1000))
        print(String(format: "  replay         %8.1f ms  (%d tokens' KV rows copied back, %.0f tokens/s)", resume.replaySeconds * 1000,
                     resume.restoredTokens, resume.restoreTokensPerSecond))
        print(String(format: "  first token    %8.1f ms", resume.firstTokenSeconds * 1000))
        print(String(format: "  total          %8.1f ms  (goal < 1000 ms); model load %.1f ms, not counted",
                     resume.totalSeconds * 1000, resume.modelLoadSeconds * 1000))
    }
}
