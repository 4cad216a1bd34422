import ArgumentParser

/// `arbor bench grammar`: what constrained decoding costs — grammar compile time, per-token
/// mask time (first visits and cached), constrained against free tokens/s (`--spec` or
/// `--schema`) — or a whole schema corpus decoded under random sampling with every output
/// validated (`--corpus`). Benchmarks/grammar-bench.sh runs both.
struct BenchGrammarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grammar",
        abstract: "Measure constrained decoding on one grammar (--spec, --schema) or a schema corpus (--corpus).")

    @OptionGroup var common: BenchCommonOptions

    @Option(name: .short, help: "The token limit of each decoding.")
    var n: Int = 128

    @Option(name: .short, help: "Repetitions after the cold decoding.")
    var r: Int = 3

    @Option(name: .long, help: "The workflow whose reasoning-tree grammar is measured.")
    var spec: String?

    @Option(name: .long, help: "A JSON Schema file whose grammar is measured.")
    var schema: String?

    @Option(name: .long, help: """
        A schema corpus (a .jsonl file with one schema per line, or a folder of .json files); \
        every schema is decoded under its grammar with every seed and the outputs are validated.
        """)
    var corpus: String?

    @Option(name: .long, help: "With --corpus: seeds per schema (0, 1, …).")
    var seeds: Int = 4

    @Option(name: .long, help: "Sampling temperature (default 0 for --spec/--schema, 1 for --corpus).")
    var temp: Float?

    @Option(name: .long, help: "The prompt the model continues.")
    var prompt: String?

    @Flag(name: .long, help: """
        With --spec or --schema: fill the mask cache on first use instead of when the grammar is compiled, \
        to see what each position costs the first decoding.
        """)
    var lazyCache = false

    func validate() throws {
        if [spec, schema, corpus].compactMap({ $0 }).count != 1 {
            throw ValidationError("bench grammar needs exactly one of --spec SPEC.yaml, --schema S.json or --corpus PATH.")
        }
        if n < 1 { throw ValidationError("-n must be at least 1.") }
        if r < 1 { throw ValidationError("-r must be at least 1.") }
        if seeds < 1 { throw ValidationError("--seeds must be at least 1.") }
        try OptionChecks.temperature(temp)
    }

    func run() async throws {
        try GrammarBench(options: self, modelPath: common.modelPath(), threads: common.threads, maxTokens: n,
                         repetitions: r, json: common.json).run()
    }
}
