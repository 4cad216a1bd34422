import CArborKernels

/// Whose rounding the kernels reproduce where llama.cpp's own result depends on how it was
/// compiled. A llama.cpp built natively for an AVX-512 CPU sums its f16 attention dot
/// products in 16 lanes and scales the SiLU's exp differently from one built for AVX2; near
/// a tie between two tokens that is enough to change a greedy continuation. Both variants run
/// on the AVX2 floor, so either can be reproduced on any machine.
///
/// The default is ``avx2`` on every CPU, so a workflow gives the same tokens on a laptop and on
/// a CI runner; ``avx512`` reproduces a llama.cpp built natively on an AVX-512 machine (the
/// shared reference outputs were made that way). The setting is process-wide (the kernels
/// read it on every call). Recorded runs keep the variant they were decoded with, so a resume
/// replays the same tokens whatever it is set to then.
public enum LlamaCppNumerics: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// As llama.cpp built for AVX2/FMA computes.
    case avx2
    /// As llama.cpp built for AVX-512 (F and DQ) computes.
    case avx512

    /// The variant a native llama.cpp build would use on this CPU.
    public static var native: LlamaCppNumerics {
        let need = UInt32(ARBOR_CPU_AVX512F | ARBOR_CPU_AVX512DQ)
        return arbor_cpu_features() & need == need ? .avx512 : .avx2
    }

    /// The variant in effect: set explicitly, else the `ARBOR_GGML_LANES` environment
    /// variable (16 for ``avx512``), else ``avx2``.
    public static var current: LlamaCppNumerics {
        get { arbor_ggml_lanes() == 16 ? .avx512 : .avx2 }
        set { arbor_set_ggml_lanes(newValue == .avx512 ? 16 : 8) }
    }

    /// Back to the default (the environment variable, else ``avx2``).
    public static func reset() { arbor_set_ggml_lanes(0) }

    /// `avx2`, `avx512`, or `native` (``native``); nil for anything else.
    public init?(argument: String) {
        switch argument.lowercased() {
        case "avx2": self = .avx2
        case "avx512", "avx-512": self = .avx512
        case "native": self = .native
        default: return nil
        }
    }

    public var description: String { self == .avx2 ? "llama.cpp AVX2" : "llama.cpp AVX-512" }
}
