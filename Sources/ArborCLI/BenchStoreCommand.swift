import ArborBench
import ArborModel
import ArborRecording
import ArborRuntime
import ArgumentParser
import Foundation

/// `arbor bench store`: what durability costs — decoding speed with the SQLite store against
/// without it, and the time a resume takes to its first new token.
struct BenchStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Measure the run store: checkpoint overhead on decoding speed and resume latency.")

    @OptionGroup var common: BenchCommonOptions

    @Option(name: .short, help: "Repetitions of each arm, back to back.")
    var r: Int = 3

    /// Length of the overhead run's answer in characters (about 4 a token).
    var essayCharacters: Int { 1600 }
    /// Prompt plus recorded tree tokens in the KV cache when the resume samples.
    var workingMemoryTokens: Int { 4096 }

    func validate() throws {
        if r < 1 { throw ValidationError("-r must be at least 1.") }
    }

    func run() async throws {
        let modelPath = try common.modelPath(), threads = common.threads, repetitions = r, json = common.json
        let bench = try StoreBenchmark(modelPath: modelPath, threads: threads)
        let overhead = try await bench.measureOverhead(essayCharacters: essayCharacters, repetitions: repetitions)
        let resume = try await bench.measureResume(workingMemoryTokens: workingMemoryTokens)
        let load = Self.loadAverage()
        if json {
            func spread(_ values: [Double]) -> [String: Double] {
                ["median": StoreBenchmark.quantile(values, 0.5), "q1": StoreBenchmark.quantile(values, 0.25),
                 "q3": StoreBenchmark.quantile(values, 0.75), "min": values.min() ?? 0, "max": values.max() ?? 0]
            }
            func timings(_ t: RecorderTimings) -> [String: Any] {
                ["total_s": t.totalSeconds, "row_copy_s": t.rowCopySeconds, "statements_s": t.statementSeconds,
                 "commit_s": t.commitSeconds, "other_s": t.otherSeconds, "commits": t.commits, "tokens": t.tokens,
                 "row_bytes": t.rowBytes, "us_per_token": t.microsecondsPerToken]
            }
            let object: [String: Any] = [
                "model": modelPath, "threads": threads, "repetitions": repetitions, "load_average": load,
                "overhead": [
                    "tree_tokens": overhead.treeTokens, "generated_tokens": overhead.generatedTokens,
                    "without_store_tokens_per_second": overhead.withoutStore, "with_store_tokens_per_second": overhead.withStore,
                    "with_sqlite_defaults_tokens_per_second": overhead.withDefaultsStore,
                    "without_store_mean": overhead.withoutStoreMean, "without_store_stddev": overhead.withoutStoreStandardDeviation,
                    "with_store_mean": overhead.withStoreMean, "with_store_stddev": overhead.withStoreStandardDeviation,
                    "overhead_percent": overhead.overheadPercent,
                    "with_store_no_events_tokens_per_second": overhead.withStoreNoEvents,
                    "events_overhead_percent": overhead.eventsOverheadPercent,
                    "paired_percent": spread(overhead.pairedPercent(overhead.withStore)),
                    "paired_percent_sqlite_defaults": spread(overhead.pairedPercent(overhead.withDefaultsStore)),
                    "direct_percent": spread(overhead.directWithStore),
                    "direct_percent_sqlite_defaults": spread(overhead.directWithDefaultsStore),
                    "cpu_percent": spread(overhead.pairedCPUPercent(overhead.cpuWithStore)),
                    "cpu_percent_sqlite_defaults": spread(overhead.pairedCPUPercent(overhead.cpuWithDefaultsStore)),
                    "timings": timings(overhead.timings), "timings_sqlite_defaults": timings(overhead.defaultsTimings),
                    "wal": ["background_checkpoints": overhead.wal.backgroundCheckpoints,
                            "background_s": overhead.wal.backgroundSeconds,
                            "writer_checkpoints": overhead.wal.writerCheckpoints,
                            "writer_checkpoint_s": overhead.wal.writerCheckpointSeconds,
                            "largest_log_bytes": overhead.wal.largestLogBytes] as [String: Any],
                    "same_document": overhead.sameDocument,
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
        func range(_ values: [Double]) -> String {
            String(format: "%+6.2f %% (quartiles %+.2f … %+.2f, range %+.2f … %+.2f)", StoreBenchmark.quantile(values, 0.5),
                   StoreBenchmark.quantile(values, 0.25), StoreBenchmark.quantile(values, 0.75), values.min() ?? 0, values.max() ?? 0)
        }
        func rate(_ values: [Double]) -> String {
            String(format: "%7.2f tokens/s (median; mean %.2f ± %.2f)", StoreBenchmark.quantile(values, 0.5),
                   StoreBenchmark.mean(values), StoreBenchmark.standardDeviation(values))
        }
        print(String(format: "checkpoint overhead: one greedy run of %d tree tokens (%d sampled), %d repetitions of each arm back to back, %d threads",
                     overhead.treeTokens, overhead.generatedTokens, repetitions, threads) + ", load average \(load)")
        print("  without store            \(rate(overhead.withoutStore))")
        print("  with store               \(rate(overhead.withStore))")
        print("  with store, no events    \(rate(overhead.withStoreNoEvents))")
        if !overhead.withDefaultsStore.isEmpty {
            print("  with SQLite's defaults   \(rate(overhead.withDefaultsStore))  (4 KB pages, checkpoints on commit: the store before)")
        }
        print("overhead of the store (goal ≤ 3 %), per repetition against the run beside it:")
        print("  end to end, tokens/s     \(range(overhead.pairedPercent(overhead.withStore)))")
        print("  direct, recorder's time  \(range(overhead.directWithStore))")
        print("  process CPU per token    \(range(overhead.pairedCPUPercent(overhead.cpuWithStore)))")
        print(String(format: "live events (for arbor serve), against the store without them: %.2f %% slower (median of paired repetitions)",
                     overhead.eventsOverheadPercent))
        if !overhead.withDefaultsStore.isEmpty {
            print("with SQLite's defaults (before):")
            print("  end to end, tokens/s     \(range(overhead.pairedPercent(overhead.withDefaultsStore)))")
            print("  direct, recorder's time  \(range(overhead.directWithDefaultsStore))")
            print("  process CPU per token    \(range(overhead.pairedCPUPercent(overhead.cpuWithDefaultsStore)))")
        }
        for (name, t) in [("store", overhead.timings), ("SQLite's defaults", overhead.defaultsTimings)] where t.tokens > 0 {
            print("recorder's time with \(name): " + String(format: "%.1f µs a token = row copy %.1f + statements %.1f + commit %.1f + other %.1f (%d commits, %.1f MB of rows)",
                         t.microsecondsPerToken, 1e6 * t.rowCopySeconds / Double(t.tokens), 1e6 * t.statementSeconds / Double(t.tokens),
                         1e6 * t.commitSeconds / Double(t.tokens), 1e6 * t.otherSeconds / Double(t.tokens), t.commits,
                         Double(t.rowBytes) / 1e6))
        }
        print(String(format: "write-ahead log: %d background checkpoints (%.1f ms, off the decoding thread), %d on the writer at the cap (%.1f ms), largest log %.1f MB",
                     overhead.wal.backgroundCheckpoints, overhead.wal.backgroundSeconds * 1000, overhead.wal.writerCheckpoints,
                     overhead.wal.writerCheckpointSeconds * 1000, Double(overhead.wal.largestLogBytes) / 1e6))
        if !overhead.sameDocument { print("WARNING: the runs' trees differ") }
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

    /// `/proc/loadavg`'s three averages, for the figures' context (empty where there is none).
    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
