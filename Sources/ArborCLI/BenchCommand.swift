import ArborModel
import ArgumentParser
import Foundation

/// `arbor bench`: llama-bench style prompt-processing and generation speed, plus the
/// memory-bandwidth ceiling that decoding is measured against.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure prompt processing (pp) and text generation (tg) speed of the local model.",
        discussion: """
            Prints a llama-bench style table (mean ± standard deviation of tokens/s over the \
            repetitions, after one warm-up run), the weight bytes read per generated token, the \
            streaming-read bandwidth of this machine measured in the same run, and tg as a share \
            of the ceiling bandwidth / bytes-per-token. Benchmarks/compare-llama-bench.sh puts the \
            figures next to llama.cpp's. With --grammar it measures constrained decoding instead: \
            compile time, per-token mask time (first visits and cached) and constrained against free \
            tokens/s (--spec or --schema), or decodes a whole schema corpus under random sampling and \
            validates every output (--corpus); Benchmarks/grammar-bench.sh runs both.
            """)

    @Option(name: .long, help: "Path of the GGUF model (default: models/SmolLM2-135M-Instruct.Q4_1.gguf, or ARBOR_MODEL).")
    var model: String?

    @Option(name: .short, help: "Kernel threads.")
    var t: Int = 2

    @Option(name: .short, help: "Prompt lengths for pp tests, comma-separated (0 skips them).")
    var p: String = "512"

    @Option(name: .short, help: "Generated lengths for tg tests, comma-separated (0 skips them).")
    var n: String = "128"

    @Option(name: .short, help: "Repetitions of each test after the warm-up run.")
    var r: Int = 3

    @Flag(name: .long, help: "Print one JSON object instead of the table.")
    var json = false

    @Option(name: .customLong("llama-bench"), help: "Path of a llama-bench binary: run it first on the same model, threads, lengths and repetitions, and print Arbor / llama.cpp per test.")
    var llamaBench: String?

    @OptionGroup(title: "Constrained decoding (see GrammarBench.swift)")
    var grammarOptions: GrammarBenchOptions

    @Flag(name: .long, help: "Measure the run store instead: checkpoint overhead and resume latency.")
    var store = false

    @Option(name: .long, help: "Run the tool-loop benchmark instead (Arbor, unpruned, agent loop) for these tool-call counts, e.g. 0,10,30,60.")
    var tools: String?

    @OptionGroup(title: "Long job (see BenchLongJobCommand.swift)")
    var longJob: LongJobBenchOptions

    func validate() throws {
        if t < 1 { throw ValidationError("-t must be at least 1.") }
        if r < 1 { throw ValidationError("-r must be at least 1.") }
        _ = try Self.lengths(p, flag: "-p")
        _ = try Self.lengths(n, flag: "-n")
        if let tools { _ = try Self.lengths(tools, flag: "--tools") }
    }

    func run() async throws {
        let path = try ModelLocator.resolve(explicitPath: model)
        if let tools {
            return try await BenchToolsCommand.run(toolCounts: Self.lengths(tools, flag: "--tools"), modelPath: path, threads: t, json: json)
        }
        if longJob.longJob { return try await BenchLongJobCommand.run(options: longJob, modelPath: path, threads: t, json: json) }
        if store { return try await BenchStoreCommand(modelPath: path, threads: t, repetitions: r, json: json).run() }
        if grammarOptions.grammar {
            // -n is the token limit of each decoding (its first value).
            let tokens = try Self.lengths(n, flag: "-n").first ?? 128
            try GrammarBench(options: grammarOptions, modelPath: path, threads: t, maxTokens: max(tokens, 1),
                             repetitions: r, json: json).run()
            return
        }
        let bench = try ModelBenchmark(path: path, threads: t)
        let llama = try llamaBench.map {
            try LlamaBenchComparison.run(executable: $0, model: path, threads: t, promptLengths: Self.lengths(p, flag: "-p"),
                                         generateLengths: Self.lengths(n, flag: "-n"), repetitions: r)
        }
        let results = try bench.run(promptLengths: Self.lengths(p, flag: "-p"),
                                    generateLengths: Self.lengths(n, flag: "-n"), repetitions: r)
        let bandwidth = ModelBenchmark.readBandwidth(threads: t)
        let bytesPerToken = bench.weightBytesPerToken
        let ceiling = bandwidth / Double(bytesPerToken)
        let generation = results.first { $0.test.hasPrefix("tg") }

        if json {
            var object: [String: Any] = [
                "model": path, "threads": t, "weight_bytes_per_token": bytesPerToken,
                "read_bandwidth_bytes_per_second": bandwidth, "tg_ceiling_tokens_per_second": ceiling,
                "results": results.map { ["test": $0.test, "mean": $0.mean, "stddev": $0.standardDeviation,
                                          "samples": $0.tokensPerSecond] as [String: Any] },
            ]
            if let generation { object["tg_share_of_ceiling"] = generation.mean / ceiling }
            if let llama { object["llama_bench"] = llama }
            if let memory = bench.memory {
                object["resident_bytes"] = memory.current
                object["peak_resident_bytes"] = memory.peak
                object["memory_budget_bytes"] = bench.memoryBudget
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
            return
        }
        print(bench.table(results))
        print("")
        if let llama {
            print(LlamaBenchComparison.table(arbor: results.map { ($0.test, $0.mean, $0.standardDeviation) }, llama: llama))
            print("")
        }
        print(String(format: "weights read per token: %.1f MB; streaming read bandwidth (%d threads): %.1f GB/s",
                     Double(bytesPerToken) / 1e6, t, bandwidth / 1e9))
        if let generation {
            print(String(format: "tg ceiling: %.0f tokens/s; %@ reaches %.0f%% of it (%.1f GB/s of weights)",
                         ceiling, generation.test, 100 * generation.mean / ceiling,
                         generation.mean * Double(bytesPerToken) / 1e9))
        }
        if let memory = bench.memory {
            let mib = { (bytes: Int) in Double(bytes) / 1_048_576 }
            print(String(format: "resident memory: %.1f MiB now, %.1f MiB peak (VmRSS, VmHWM); budget %.1f MiB = model file %.1f + KV cache %.1f + 64 (%@)",
                         mib(memory.current), mib(memory.peak), mib(bench.memoryBudget), mib(bench.fileBytes),
                         mib(bench.kvCacheBytes), memory.peak <= bench.memoryBudget ? "within" : "OVER"))
        }
    }

    static func lengths(_ text: String, flag: String) throws -> [Int] {
        try text.split(separator: ",").map { part in
            guard let value = Int(part.trimmingCharacters(in: .whitespaces)), value >= 0 else {
                throw ValidationError("\(flag) takes comma-separated lengths such as 128,512; got '\(text)'.")
            }
            return value
        }
    }
}
