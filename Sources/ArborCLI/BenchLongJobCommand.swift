import ArborBench
import ArborRuntime
import ArgumentParser
import Foundation

/// `arbor bench long-job`: a run of at least `--tokens` tree tokens over summary rounds,
/// printed round by round, with peak KV checked against round budget plus prompt and the
/// spread of per-round tokens/s.
struct BenchLongJobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "long-job",
        abstract: "Run a long job: one run over many summary rounds, a table row per round.")

    @OptionGroup var common: BenchCommonOptions

    @Option(name: .long, help: "Tree tokens the long job writes before it may answer.")
    var tokens: Int = 100_000

    @Option(name: .long, help: "The long job's round budget (kept tree tokens per round).")
    var roundBudget: Int = 1024

    @Option(name: .long, help: "The long job's most characters per thought, conclusion or summary.")
    var maxTextLength: Int = 160

    @Option(name: .long, help: "The long job's task depth (2 lets top-level tasks have subtasks, pruned when done).")
    var maxDepth: Int = 1

    @Option(name: .long, help: "Record the long job to this SQLite file and keep it (default: a temporary file, deleted).")
    var db: String?

    @Flag(name: .long, help: "Do not record the long job at all (decoding alone).")
    var noStore = false

    func validate() throws {
        if tokens < 0 { throw ValidationError("--tokens must not be negative.") }
        if roundBudget < 64 { throw ValidationError("--round-budget must be at least 64 (the workflow's lower limit).") }
        if !(1...16).contains(maxDepth) { throw ValidationError("--max-depth must be between 1 and 16.") }
        if !(16...2048).contains(maxTextLength) { throw ValidationError("--max-text-length must be between 16 and 2048.") }
        if noStore && db != nil { throw ValidationError("--db and --no-store contradict each other.") }
    }

    func run() async throws {
        try await Self.run(options: self, modelPath: common.modelPath(), threads: common.threads, json: common.json)
    }

    static func run(options: BenchLongJobCommand, modelPath: String, threads: Int, json: Bool) async throws {
        let configuration = LongJobBenchmark.Configuration(
            minimumTokens: options.tokens, roundBudget: options.roundBudget, maxTextLength: options.maxTextLength,
            maxDepth: options.maxDepth, databasePath: options.db, recordsToStore: !options.noStore)
        let bench = try LongJobBenchmark(modelPath: modelPath, threads: threads)
        if !json {
            emit("long job: at least \(options.tokens) tree tokens, round budget \(options.roundBudget), task depth \(options.maxDepth), "
                  + "\(threads) threads, greedy with repetition penalty 1.3, "
                  + (options.noStore ? "not recorded" : "recorded to SQLite (\(options.db ?? "temporary file"))"))
            emit("")
            emit(header)
        }
        let result = try await bench.run(configuration) { round in
            guard !json else { return }
            emit(row(round))
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: jsonObject(result, modelPath: modelPath, threads: threads),
                                                  options: [.prettyPrinted, .sortedKeys])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
            return
        }
        emit("")
        for line in footer(result) { emit(line) }
    }

    static let header = """
        | round | tokens | kept at end | peak kept | prompt | peak KV | budget + prompt | last task + end | tokens/s | summary |
        | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
        """

    static func row(_ round: LongJobBenchmark.Round) -> String {
        let record = round.record
        let summary = record.summary == nil ? "(answer)" : "\(record.summary!.count) ch / \(round.summaryTokens) tok"
        return String(format: "| %d | %d | %d | %d | %d | %d%@ | %d | %d | %.1f | %@ |",
                      record.number, record.treeTokens, record.endKeptTokens, record.peakKeptTokens, record.promptLength,
                      record.peakKVSlots, round.withinBudget ? "" : " *", round.kvBudget, round.endAllowance,
                      record.tokensPerSecond, summary)
    }

    static func footer(_ result: LongJobBenchmark.Result) -> [String] {
        var lines: [String] = []
        let metrics = result.metrics
        lines.append(String(format: "total: %d tree tokens (%d sampled, %d forced, %d from tools) in %d rounds; %d pruned (%.0f %%); %d tool calls",
                            metrics.treeTokens, metrics.generatedTokens, metrics.forcedTokens, metrics.toolResultTokens,
                            result.rounds.count, metrics.prunedTokens, 100 * metrics.prunedShare, metrics.toolCalls))
        lines.append(String(format: "peak KV: %d slots; largest overshoot of round budget + prompt: %+d slots — %@",
                            result.peakKVSlots, result.largestOvershoot, result.kvWithinBudget ? "PASS" : "FAIL"))
        lines.append("  (* marks a round past it, which only a last task larger than every earlier one can cause; "
                     + "peak KV <= budget + prompt + last task + end in every round — "
                     + (result.kvWithinBudgetAndEnd ? "PASS)" : "FAIL)"))
        if let spread = result.rateSpread {
            lines.append(String(format: "tokens/s per round (%d summary rounds after the first): min %.1f, max %.1f, mean %.1f, max/min %.2f",
                                spread.rounds, spread.minimum, spread.maximum, spread.mean, spread.ratio))
        }
        lines.append(String(format: "wall time: %.1f s (decode %.1f s, prompts %.1f s, tools %.2f s, masks %.1f s); overall %.1f tree tokens/s",
                            result.wallSeconds, metrics.decodeSeconds, metrics.promptSeconds, metrics.toolSeconds, metrics.maskSeconds,
                            Double(metrics.treeTokens) / max(result.wallSeconds, 1e-9)))
        if let bytes = result.databaseBytes {
            lines.append(String(format: "store: %.1f MiB SQLite%@", Double(bytes) / 1_048_576,
                                result.databasePath.map { " at \($0)" } ?? " (temporary, deleted)"))
        }
        lines.append("answer: \(result.output.compactString)")
        return lines
    }

    static func jsonObject(_ result: LongJobBenchmark.Result, modelPath: String, threads: Int) -> [String: Any] {
        let configuration = result.configuration
        var object: [String: Any] = [
            "model": modelPath, "threads": threads, "minimum_tokens": configuration.minimumTokens,
            "round_budget": configuration.roundBudget, "max_text_length": configuration.maxTextLength,
            "recorded": configuration.recordsToStore,
            "rounds": result.rounds.map { round -> [String: Any] in
                let record = round.record
                return ["round": record.number, "tree_tokens": record.treeTokens, "end_kept_tokens": record.endKeptTokens,
                        "peak_kept_tokens": record.peakKeptTokens, "prompt_tokens": record.promptLength,
                        "fed_prompt_tokens": record.promptTokens, "peak_kv_slots": record.peakKVSlots,
                        "kv_budget": round.kvBudget, "end_allowance": round.endAllowance,
                        "decode_seconds": record.decodeSeconds, "tokens_per_second": record.tokensPerSecond,
                        "summary_characters": record.summary?.count ?? 0, "summary_tokens": round.summaryTokens,
                        "answered": record.summary == nil]
            },
            "tree_tokens": result.treeTokens, "generated_tokens": result.metrics.generatedTokens,
            "pruned_tokens": result.metrics.prunedTokens, "tool_calls": result.metrics.toolCalls,
            "peak_kv_slots": result.peakKVSlots, "largest_overshoot": result.largestOvershoot,
            "kv_within_budget": result.kvWithinBudget, "kv_within_budget_and_end": result.kvWithinBudgetAndEnd,
            "wall_seconds": result.wallSeconds, "decode_seconds": result.metrics.decodeSeconds,
            "answer": result.output.compactString,
        ]
        if let spread = result.rateSpread {
            object["tokens_per_second_spread"] = ["min": spread.minimum, "max": spread.maximum, "mean": spread.mean,
                                                  "max_over_min": spread.ratio, "rounds": spread.rounds]
        }
        if let bytes = result.databaseBytes { object["database_bytes"] = bytes }
        return object
    }

    /// Writes a line at once (unbuffered), so rows show as their rounds end.
    private static func emit(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
}
