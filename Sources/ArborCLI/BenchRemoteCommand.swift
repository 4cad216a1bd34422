import ArborBench
import ArborModel
import ArborRemote
import ArborRuntime
import ArborSpec
import ArgumentParser
import Foundation

/// `arbor bench remote --backend URL --jobs 1,2,4 --tools 0,10,30`: many runs against one
/// serving engine at each concurrency, and the cost of tool calls on the remote path.
struct BenchRemoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote",
        abstract: "Measure runs/s and tokens/s against a serving engine at each --jobs, and the cost per tool call.",
        discussion: """
            Start the server with as many slots as the largest --jobs (llama-server -np 4). Each \
            concurrency runs --runs-per-job × jobs greedy runs of the workflow, each with a \
            problem of its own, recorded in an in-memory store; then the tool-loop benchmark's \
            tree (see `arbor bench tools`) is decoded through the server with each number of \
            tool calls.
            """)

    @Option(name: .long, help: ArgumentHelp("The serving engine's URL.", valueName: "URL"))
    var backend: String

    @Option(name: .customLong("backend-kind"), help: ArgumentHelp("The server's API: llama-server (default), vllm or sglang.",
                                                                  valueName: "llama-server|vllm|sglang"))
    var backendKind: String = "llama-server"

    @Option(name: .customLong("backend-model"), help: "The model name the server expects in requests (vLLM, SGLang).")
    var backendModel: String?

    @Option(name: .long, help: "Runs at once, comma-separated.")
    var jobs: String = "1,2,4"

    @Option(name: .customLong("runs-per-job"), help: "Runs per job at each concurrency (jobs × this many runs).")
    var runsPerJob: Int = 2

    @Option(name: .long, help: "Tool-call counts for the cost per tool call, comma-separated (empty skips it).")
    var tools: String = "0,10,30"

    @Option(name: .customLong("min-tasks"), help: "Top-level tasks of the tool-call tree with fewer tool calls than this (10 keeps N = 0 a real tree, as in `arbor bench tools`).")
    var minTasks: Int = 10

    @Option(name: .long, help: "The workflow the runs decode; its first input gets a problem of its own per run.")
    var spec: String = "Workflows/math-solver.yaml"

    @Option(name: .customLong("max-tokens"), help: "Most tokens each run writes.")
    var maxTokens: Int = 128

    @Option(name: .long, help: "The GGUF whose tokenizer the server's model has (default: the default model).")
    var model: String?

    @Flag(name: .long, help: "Print one JSON object instead of the tables.")
    var json = false

    func validate() throws {
        if try BenchCommand.lengths(jobs, flag: "--jobs").contains(where: { $0 < 1 }) { throw ValidationError("--jobs takes counts of 1 or more.") }
        _ = try toolCounts()
        if runsPerJob < 1 { throw ValidationError("--runs-per-job must be at least 1.") }
        if minTasks < 1 { throw ValidationError("--min-tasks must be at least 1.") }
        if maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1.") }
        if ServingEngine.Kind(rawValue: backendKind) == nil { throw ValidationError("--backend-kind must be llama-server, vllm or sglang.") }
    }

    private func toolCounts() throws -> [Int] {
        tools.trimmingCharacters(in: .whitespaces).isEmpty ? [] : try BenchCommand.lengths(tools, flag: "--tools")
    }

    func run() async throws {
        let workflow = try WorkflowLoader.loadValid(path: spec)
        let loaded = try LoadedModel(path: try ModelLocator.resolve(explicitPath: model))
        let engine = ServingEngine(kind: ServingEngine.Kind(rawValue: backendKind) ?? .llamaServer, url: backend, model: backendModel)
        _ = try RunExecution.connect(engine, tokenizer: loaded.tokenizer, record: nil)
        let bench = RemoteBenchmark(workflow: workflow, specText: try String(contentsOfFile: spec, encoding: .utf8), model: loaded,
                                    engine: engine, maxTokens: maxTokens)
        // One run first: the server loads its caches and Arbor compiles the grammar.
        _ = try await bench.runs(jobs: 1, count: 1)
        var rows: [RemoteBenchmark.JobsResult] = []
        for count in try BenchCommand.lengths(jobs, flag: "--jobs") {
            if !json { FileHandle.standardError.write(Data("jobs \(count): \(count * runsPerJob) runs…\n".utf8)) }
            rows.append(try await bench.runs(jobs: count, count: count * runsPerJob))
            // Each row as soon as it is measured: a long benchmark interrupted still told something.
            if !json { Self.printLastRow(Self.jobsTable(rows)) }
        }
        let counts = try toolCounts()
        if !json && !counts.isEmpty { FileHandle.standardError.write(Data("tool calls \(tools)…\n".utf8)) }
        let toolRows = counts.isEmpty ? [] : try await bench.toolCalls(counts, minimumTasks: minTasks) { row in
            if !json { Self.printLastRow(Self.toolTable([row])) }
        }
        let load = Self.loadAverage()
        if json {
            let object: [String: Any] = [
                "backend": backend, "backend_kind": backendKind, "spec": spec, "max_tokens": maxTokens, "load_average": load,
                "jobs": rows.map { row -> [String: Any] in
                    ["jobs": row.jobs, "runs": row.runs, "completed": row.completed, "wall_seconds": row.wallSeconds,
                     "tree_tokens": row.treeTokens, "generated_tokens": row.generatedTokens, "requests": row.requests,
                     "prompt_tokens_sent": row.promptTokensSent, "prompt_tokens_cached": row.promptTokensCached,
                     "runs_per_second": row.runsPerSecond, "tokens_per_second": row.tokensPerSecond]
                },
                "tool_calls": toolRows.map { row -> [String: Any] in
                    var entry: [String: Any] = ["tool_calls": row.toolCalls, "tasks": row.tasks, "tree_tokens": row.treeTokens,
                                                "decode_seconds": row.decodeSeconds, "tokens_per_second": row.tokensPerSecond,
                                                "requests": row.requests, "prompt_tokens_sent": row.promptTokensSent,
                                                "prompt_tokens_cached": row.promptTokensCached]
                    if let base = toolRows.first(where: { $0.toolCalls == 0 }), let perCall = RemoteBenchmark.secondsPerToolCall(row, baseline: base) {
                        entry["seconds_per_tool_call"] = perCall
                    }
                    return entry
                },
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
            return
        }
        print(Self.jobsTable(rows))
        print("")
        if !toolRows.isEmpty {
            print(Self.toolTable(toolRows))
            print("")
        }
        print("\(backend) (\(backendKind)); \(spec), greedy, at most \(maxTokens) tokens a run; load average \(load).")
    }

    static func jobsTable(_ rows: [RemoteBenchmark.JobsResult]) -> String {
        var lines = ["| jobs | runs | wall s | runs/s | tree tokens/s | written tokens/s | × jobs 1 | requests | prompt cached |",
                     "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        let base = rows.first { $0.jobs == 1 }?.runsPerSecond ?? rows.first?.runsPerSecond ?? 0
        for row in rows {
            let cached = row.promptTokensSent > 0 ? 100 * Double(row.promptTokensCached) / Double(row.promptTokensSent) : 0
            lines.append(String(format: "| %d | %d | %.1f | %.3f | %.1f | %.1f | %.2f | %d | %.0f %% |", row.jobs, row.completed, row.wallSeconds,
                                row.runsPerSecond, row.tokensPerSecond, row.generatedPerSecond, base > 0 ? row.runsPerSecond / base : 0,
                                row.requests, cached))
        }
        return lines.joined(separator: "\n")
    }

    static func toolTable(_ rows: [RemoteBenchmark.ToolCallResult]) -> String {
        var lines = ["| tool calls | tasks | tree tokens | decode s | tokens/s | requests | prompt tokens sent | cached | s per tool call |",
                     "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        let baseline = rows.first { $0.toolCalls == 0 }
        for row in rows {
            let perCall = baseline.flatMap { RemoteBenchmark.secondsPerToolCall(row, baseline: $0) }.map { String(format: "%.3f", $0) } ?? "–"
            let cached = row.promptTokensSent > 0 ? 100 * Double(row.promptTokensCached) / Double(row.promptTokensSent) : 0
            lines.append(String(format: "| %d | %d | %d | %.2f | %.1f | %d | %d | %.0f %% | %@ |", row.toolCalls, row.tasks, row.treeTokens,
                                row.decodeSeconds, row.tokensPerSecond, row.requests, row.promptTokensSent, cached, perCall))
        }
        return lines.joined(separator: "\n")
    }

    /// The last line of `table` on standard error.
    static func printLastRow(_ table: String) {
        let row = table.split(separator: "\n").last.map(String.init) ?? ""
        FileHandle.standardError.write(Data((row + "\n").utf8))
    }

    /// The first three fields of /proc/loadavg (empty where there is none).
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
