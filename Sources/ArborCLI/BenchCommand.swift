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
            figures next to llama.cpp's.
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

    @Option(name: .long, help: "Run the tool-loop benchmark instead (Arbor, unpruned, agent loop) for these tool-call counts, e.g. 0,10,30,60.")
    var tools: String?

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
        let bench = try ModelBenchmark(path: path, threads: t)
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
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
            return
        }
        print(bench.table(results))
        print("")
        print(String(format: "weights read per token: %.1f MB; streaming read bandwidth (%d threads): %.1f GB/s",
                     Double(bytesPerToken) / 1e6, t, bandwidth / 1e9))
        if let generation {
            print(String(format: "tg ceiling: %.0f tokens/s; %@ reaches %.0f%% of it (%.1f GB/s of weights)",
                         ceiling, generation.test, 100 * generation.mean / ceiling,
                         generation.mean * Double(bytesPerToken) / 1e9))
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
