import ArborModel
import ArgumentParser

/// `--numerics`: which llama.cpp build's rounding the kernels reproduce.
struct NumericsOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Rounding to reproduce: avx2 (default, the same on every CPU), avx512 (a llama.cpp built for AVX-512), or native (whichever this CPU would build).",
        valueName: "avx2|avx512|native"))
    var numerics: String?

    func validate() throws {
        if let numerics, LlamaCppNumerics(argument: numerics) == nil {
            throw ValidationError("--numerics must be avx2, avx512 or native, not '\(numerics)'.")
        }
    }

    /// Sets the process-wide variant when the option was given.
    func apply() {
        if let numerics, let chosen = LlamaCppNumerics(argument: numerics) { LlamaCppNumerics.current = chosen }
    }
}
