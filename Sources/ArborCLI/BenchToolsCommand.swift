import ArborBench
import ArborModel
import ArborRuntime
import ArgumentParser
import Foundation

/// `arbor bench tools 0,10,30,60`: the tool-loop benchmark as a table — Arbor with pruning,
/// Arbor without pruning and the re-prefilling agent loop, for each number of tool calls —
/// and the goals checked at N = 30.
struct BenchToolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tools",
        abstract: "Measure tools inside the loop: Arbor, unpruned and an agent loop, for each number of tool calls.")

    @OptionGroup var common: BenchCommonOptions

    @Argument(help: "Tool-call counts, comma-separated.")
    var counts: String = "0,10,30,60"

    @Option(help: "Modes to run, comma-separated: arbor, arbor-no-prune, agent-loop (the agent loop takes the longest by far).")
    var modes: String = ToolLoopBenchmark.Mode.allCases.map(\.rawValue).joined(separator: ",")

    func validate() throws {
        _ = try BenchCommand.lengths(counts, flag: "the tool-call counts")
        _ = try Self.modes(modes)
    }

    func run() async throws {
        try await Self.run(toolCounts: BenchCommand.lengths(counts, flag: "the tool-call counts"), modelPath: common.modelPath(),
                           threads: common.threads, json: common.json, modes: Self.modes(modes))
    }

    /// The modes named in `list`, in the benchmark's order.
    static func modes(_ list: String) throws -> [ToolLoopBenchmark.Mode] {
        let names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for name in names where ToolLoopBenchmark.Mode(rawValue: name) == nil {
            let known = ToolLoopBenchmark.Mode.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--modes: unknown mode '\(name)'; use one or more of \(known), comma-separated.")
        }
        let chosen = ToolLoopBenchmark.Mode.allCases.filter { names.contains($0.rawValue) }
        if chosen.isEmpty { throw ValidationError("--modes: name at least one mode (arbor, arbor-no-prune, agent-loop).") }
        return chosen
    }

    /// The goals: Arbor's tokens/s at N = 30 at least 90 % of its N = 0 figure and twice the
    /// agent loop's; its peak KV at most 40 % of the unpruned run's.
    static let goalToolCalls = 30

    /// Top-level tasks for a run with `toolCalls` tool calls: every N decodes at least 10
    /// tasks (the first N call the tool), so even N = 0 measures a real tree.
    static func tasks(toolCalls: Int) -> Int { max(toolCalls, 10) }

    static func run(toolCounts: [Int], modelPath: String, threads: Int, json: Bool,
                    modes: [ToolLoopBenchmark.Mode] = ToolLoopBenchmark.Mode.allCases) async throws {
        let model = try LoadedModel(path: modelPath)
        let maxTasks = toolCounts.map(tasks(toolCalls:)).max() ?? 10
        let bench = ToolLoopBenchmark(model: try model.transformer(threads: threads), tokenizer: model.tokenizer,
                                      chatTemplate: try model.chatTemplate, maxTasks: maxTasks)
        // A first small run warms the grammar's mask cache, which every later run shares.
        _ = try await bench.run(toolCalls: 1, tasks: 2, mode: .arbor)
        var results: [ToolLoopBenchmark.Result] = []
        for toolCalls in toolCounts {
            for mode in modes {
                if !json { FileHandle.standardError.write(Data("tools \(toolCalls), \(mode.rawValue)…\n".utf8)) }
                results.append(try await bench.run(toolCalls: toolCalls, tasks: tasks(toolCalls: toolCalls), mode: mode))
            }
        }
        let goals = goalLines(results)
        if json {
            let object: [String: Any] = [
                "model": modelPath, "threads": threads, "result_tokens": bench.resultTokens,
                "results": results.map { result -> [String: Any] in
                    ["mode": result.mode.rawValue, "tool_calls": result.toolCalls, "tasks": result.tasks,
                     "prompt_tokens": result.promptTokens, "tree_tokens": result.treeTokens,
                     "generated_tokens": result.generatedTokens, "tool_result_tokens": result.toolResultTokens,
                     "model_tokens": result.modelTokens, "peak_kv_slots": result.peakKVSlots,
                     "pruned_tokens": result.prunedTokens, "pruned_share": result.prunedShare,
                     "decode_seconds": result.decodeSeconds, "wall_seconds": result.wallSeconds,
                     "tokens_per_second": result.tokensPerSecond]
                },
                "goals": goals.map { ["goal": $0.goal, "value": $0.value, "met": $0.met] as [String: Any] },
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
            return
        }
        print(table(results))
        print("")
        print("\(threads) threads; each lookup result \(bench.resultTokens) tokens; tokens/s = tree tokens / decode seconds "
              + "(re-prefills included, prompt excluded); model tokens = every token the model computed.")
        for goal in goals {
            print("\(goal.met ? "met" : "NOT met"): \(goal.goal): \(String(format: "%.2f", goal.value))")
        }
    }

    /// A Markdown table, one row per (N, mode).
    static func table(_ results: [ToolLoopBenchmark.Result]) -> String {
        var lines = [
            "| tools | tasks | mode | tree tokens | model tokens | tokens/s | peak KV | pruned | decode s | wall s |",
            "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for result in results {
            lines.append(String(format: "| %d | %d | %@ | %d | %d | %.1f | %d | %.0f %% | %.2f | %.2f |",
                                result.toolCalls, result.tasks, result.mode.rawValue, result.treeTokens, result.modelTokens,
                                result.tokensPerSecond, result.peakKVSlots, 100 * result.prunedShare,
                                result.decodeSeconds, result.wallSeconds))
        }
        return lines.joined(separator: "\n")
    }

    /// The three goals at N = 30, where the results hold what they need.
    static func goalLines(_ results: [ToolLoopBenchmark.Result]) -> [(goal: String, value: Double, met: Bool)] {
        func find(_ toolCalls: Int, _ mode: ToolLoopBenchmark.Mode) -> ToolLoopBenchmark.Result? {
            results.first { $0.toolCalls == toolCalls && $0.mode == mode }
        }
        guard let arbor = find(goalToolCalls, .arbor) else { return [] }
        var goals: [(goal: String, value: Double, met: Bool)] = []
        if let idle = find(0, .arbor) {
            let share = arbor.tokensPerSecond / idle.tokensPerSecond
            goals.append(("Arbor tokens/s at N = 30 / at N = 0 >= 0.90", share, share >= 0.9))
        }
        if let loop = find(goalToolCalls, .agentLoop) {
            let speedup = arbor.tokensPerSecond / loop.tokensPerSecond
            goals.append(("Arbor tokens/s / agent loop's at N = 30 >= 2", speedup, speedup >= 2))
        }
        if let unpruned = find(goalToolCalls, .arborNoPrune) {
            let share = Double(arbor.peakKVSlots) / Double(unpruned.peakKVSlots)
            goals.append(("Arbor peak KV / unpruned peak KV at N = 30 <= 0.40", share, share <= 0.4))
        }
        return goals
    }
}
