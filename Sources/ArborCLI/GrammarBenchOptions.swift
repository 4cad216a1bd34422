import ArgumentParser

/// The options of `arbor bench --grammar`, kept apart from the model benchmark's.
struct GrammarBenchOptions: ParsableArguments {
    @Flag(name: .long, help: "Benchmark constrained decoding instead of the bare model (with --spec, --schema or --corpus).")
    var grammar = false

    @Option(name: .long, help: "With --grammar: the workflow whose reasoning-tree grammar is measured.")
    var spec: String?

    @Option(name: .long, help: "With --grammar: a JSON Schema file whose grammar is measured.")
    var schema: String?

    @Option(name: .long, help: """
        With --grammar: a schema corpus (a .jsonl file with one schema per line, or a folder of .json files); \
        every schema is decoded under its grammar with every seed and the outputs are validated.
        """)
    var corpus: String?

    @Option(name: .long, help: "With --corpus: seeds per schema (0, 1, …).")
    var seeds: Int = 4

    @Option(name: .long, help: "With --grammar: sampling temperature (default 0 for --spec/--schema, 1 for --corpus).")
    var temp: Float?

    @Option(name: .long, help: "With --grammar: the prompt the model continues.")
    var prompt: String?

    @Flag(name: .long, help: """
        With --spec or --schema: fill the mask cache on first use instead of when the grammar is compiled, \
        to see what each position costs the first decoding.
        """)
    var lazyCache = false

    func validate() throws {
        guard grammar else {
            if spec != nil || schema != nil || corpus != nil {
                throw ValidationError("--spec, --schema and --corpus belong to --grammar.")
            }
            return
        }
        if [spec, schema, corpus].compactMap({ $0 }).count != 1 {
            throw ValidationError("bench --grammar needs exactly one of --spec SPEC.yaml, --schema S.json or --corpus PATH.")
        }
        if seeds < 1 { throw ValidationError("--seeds must be at least 1.") }
        try OptionChecks.temperature(temp)
    }
}
