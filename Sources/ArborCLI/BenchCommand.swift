import ArborBench
import ArborModel
import ArgumentParser
import Foundation

/// `arbor bench`: the benchmarks, one subcommand each; `arbor bench` alone is `arbor bench model`.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the model, constrained decoding, the run store, tools in the loop or a long job.",
        discussion: """
            Release builds only give meaningful figures (`swift build -c release`). The scripts in \
            Benchmarks/ build and run each one.
            """,
        subcommands: [BenchModelCommand.self, BenchGrammarCommand.self, BenchStoreCommand.self, BenchToolsCommand.self,
                      BenchLongJobCommand.self, BenchRemoteCommand.self],
        defaultSubcommand: BenchModelCommand.self)

    static func lengths(_ text: String, flag: String) throws -> [Int] {
        try text.split(separator: ",").map { part in
            guard let value = Int(part.trimmingCharacters(in: .whitespaces)), value >= 0 else {
                throw ValidationError("\(flag) takes comma-separated lengths such as 128,512; got '\(text)'.")
            }
            return value
        }
    }
}

/// The options every benchmark takes: the model, the kernel threads, JSON output.
struct BenchCommonOptions: ParsableArguments {
    @Option(name: .long, help: "Path of the GGUF model (default: models/SmolLM2-135M-Instruct.Q4_1.gguf, or ARBOR_MODEL).")
    var model: String?

    @Option(name: [.short, .customLong("threads")], help: "Kernel threads.")
    var threads: Int = 2

    @Flag(name: .long, help: "Print one JSON object instead of the table.")
    var json = false

    func validate() throws {
        if threads < 1 { throw ValidationError("-t must be at least 1.") }
    }

    func modelPath() throws -> String { try ModelLocator.resolve(explicitPath: model) }
}

/// `arbor bench model`: llama-bench style prompt-processing and generation speed, plus the
/// memory-bandwidth ceiling that decoding is measured against.
struct BenchModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Measure prompt processing (pp) and text generation (tg) speed of the local model.",
        discussion: """
            Prints a llama-bench style table (mean ± standard deviation of tokens/s over the \
            repetitions, after one warm-up run), the weight bytes read per generated token, the \
            streaming-read bandwidth of this machine measured in the same run, and tg as a share \
            of the ceiling bandwidth / bytes-per-token. Benchmarks/compare-llama-bench.sh puts the \
            figures next to llama.cpp's.
            """)

    @OptionGroup var common: BenchCommonOptions

    @Option(name: .short, help: "Prompt lengths for pp tests, comma-separated (0 skips them).")
    var p: String = "512"

    @Option(name: .short, help: "Generated lengths for tg tests, comma-separated (0 skips them).")
    var n: String = "128"

    @Option(name: .short, help: "Repetitions of each test after the warm-up run.")
    var r: Int = 3

    @Option(name: .customLong("llama-bench"), help: "Path of a llama-bench binary: run it first on the same model, threads, lengths and repetitions, and print Arbor / llama.cpp per test.")
    var llamaBench: String?

    func validate() throws {
        if r < 1 { throw ValidationError("-r must be at least 1.") }
        _ = try BenchCommand.lengths(p, flag: "-p")
        _ = try BenchCommand.lengths(n, flag: "-n")
    }

    func run() async throws {
        let path = try common.modelPath()
        let bench = try ModelBenchmark(path: path, threads: common.threads)
        let promptLengths = try BenchCommand.lengths(p, flag: "-p"), generateLengths = try BenchCommand.lengths(n, flag: "-n")
        let llama = try llamaBench.map {
            try LlamaBenchComparison.run(executable: $0, model: path, threads: common.threads, promptLengths: promptLengths,
                                         generateLengths: generateLengths, repetitions: r)
        }
        let results = try bench.run(promptLengths: promptLengths, generateLengths: generateLengths, repetitions: r)
        let bandwidth = ModelBenchmark.readBandwidth(threads: common.threads)
        let bytesPerToken = bench.weightBytesPerToken
        let ceiling = bandwidth / Double(bytesPerToken)
        let generation = results.first { $0.test.hasPrefix("tg") }

        if common.json {
            var object: [String: Any] = [
                "model": path, "threads": common.threads, "weight_bytes_per_token": bytesPerToken,
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
                     Double(bytesPerToken) / 1e6, common.threads, bandwidth / 1e9))
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

}
