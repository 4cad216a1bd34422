import ArborModel
import CArborKernels
import Foundation

/// Measures a model the way llama-bench does, so the two tables can stand side by side.
///
/// - `pp<P>`: prompt processing — prefill P random tokens into an empty cache, in one call.
/// - `tg<N>`: text generation — decode N random tokens one at a time into an empty cache.
///
/// Each test runs once to warm up and then `repetitions` times; the table reports the mean and
/// standard deviation of tokens/s. Decoding a token reads every weight once, so the model's
/// bytes per token and a measured streaming-read bandwidth give the ceiling that `tg` can reach.
///
/// ```swift
/// let bench = try ModelBenchmark(path: "models/SmolLM2-135M-Instruct.Q4_1.gguf", threads: 2)
/// let results = try bench.run(promptLengths: [512], generateLengths: [128], repetitions: 3)
/// print(ModelBenchmark.table(results))
/// ```
public final class ModelBenchmark {
    /// One row of the table.
    public struct Result: Sendable, Codable, Equatable {
        public var test: String
        public var tokens: Int
        public var threads: Int
        public var tokensPerSecond: [Double]
        public var mean: Double { tokensPerSecond.reduce(0, +) / Double(max(tokensPerSecond.count, 1)) }
        public var standardDeviation: Double {
            guard tokensPerSecond.count > 1 else { return 0 }
            let m = mean
            let variance = tokensPerSecond.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(tokensPerSecond.count - 1)
            return variance.squareRoot()
        }
    }

    public let file: GGUFFile
    public let config: ModelConfig
    public let threads: Int
    public let modelName: String
    /// Size of the GGUF file on disk.
    public let fileBytes: Int
    /// The KV cache the last `run` allocated (its capacity is the longest test plus one).
    public private(set) var kvCacheBytes = 0
    /// Resident memory right after the last `run`, before anything else is allocated.
    public private(set) var memory: ResidentMemory?

    /// Resident memory the engine may use: the mapped model file, its KV cache and 64 MiB
    /// for everything else (scratch, tokenizer, runtime).
    public var memoryBudget: Int { fileBytes + kvCacheBytes + (64 << 20) }

    public init(path: String, threads: Int) throws {
        file = try GGUFFile(path: path)
        config = try ModelConfig(file: file)
        self.threads = threads
        modelName = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        fileBytes = (attributes?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Bytes of weights read to decode one token: every tensor, except that an input
    /// embedding with a separate output matrix is read one row at a time.
    public var weightBytesPerToken: Int {
        let untied = file.hasTensor(named: "output.weight")
        return file.tensors.reduce(0) { sum, tensor in
            if untied && tensor.name == "token_embd.weight" { return sum + tensor.byteCount / max(config.vocabularySize, 1) }
            return sum + tensor.byteCount
        }
    }

    /// Total tensor bytes in the file.
    public var modelBytes: Int { file.tensors.reduce(0) { $0 + $1.byteCount } }

    public func run(promptLengths: [Int], generateLengths: [Int], repetitions: Int) throws -> [Result] {
        let longest = (promptLengths + generateLengths).max() ?? 1
        let model = try Transformer(file: file, threads: threads, contextSlots: longest + 1)
        kvCacheBytes = model.cache.byteCount
        var generator = Xoshiro256(seed: 0xA4B0)
        let vocabulary = UInt64(config.vocabularySize)
        func randomTokens(_ count: Int) -> [Int32] { (0..<count).map { _ in Int32(generator.next() % vocabulary) } }

        // Each test: one warm-up run, then `repetitions` timed runs from an empty cache.
        func measure(_ test: String, tokens length: Int, _ body: ([Int32]) throws -> Void) throws -> Result {
            var rates: [Double] = []
            for rep in 0...repetitions {
                model.reset()
                let tokens = randomTokens(length)
                let start = DispatchTime.now()
                try body(tokens)
                if rep > 0 { rates.append(Double(length) / Self.seconds(since: start)) }
            }
            return Result(test: test, tokens: length, threads: threads, tokensPerSecond: rates)
        }

        var results: [Result] = []
        for length in promptLengths where length > 0 {
            results.append(try measure("pp\(length)", tokens: length) { tokens in
                _ = try model.prefill(tokens: tokens, positions: (0..<Int32(length)).map { $0 })
            })
        }
        for length in generateLengths where length > 0 {
            results.append(try measure("tg\(length)", tokens: length) { tokens in
                for (position, token) in tokens.enumerated() {
                    _ = try model.decode(token: token, position: Int32(position))
                }
            })
        }
        memory = ResidentMemory.now()
        return results
    }

    /// Streaming-read bandwidth in bytes/s with `threads` threads over a 512 MiB buffer.
    public static func readBandwidth(threads: Int, megabytes: Int = 512, passes: Int = 4) -> Double {
        let bytes = megabytes << 20
        guard let buffer = aligned_alloc(64, bytes) else { return 0 }
        defer { free(buffer) }
        memset(buffer, 1, bytes) // touch every page before timing
        guard let pool = arbor_pool_create(Int32(threads)) else { return 0 }
        defer { arbor_pool_destroy(pool) }
        return arbor_read_bandwidth(pool, buffer, bytes, Int32(passes))
    }

    /// The results as a llama-bench style Markdown table.
    public func table(_ results: [Result]) -> String {
        let size = String(format: "%.2f MiB", Double(modelBytes) / 1_048_576)
        var lines = [
            "| model | size | arch | threads | test | t/s |",
            "| --- | ---: | --- | ---: | ---: | ---: |",
        ]
        for result in results {
            lines.append(String(format: "| %@ | %@ | %@ | %d | %@ | %.2f ± %.2f |",
                                modelName, size, config.architecture.rawValue, result.threads, result.test,
                                result.mean, result.standardDeviation))
        }
        return lines.joined(separator: "\n")
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
