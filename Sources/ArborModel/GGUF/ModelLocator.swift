#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the model file a command should use when none is given.
///
/// Order: the `ARBOR_MODEL` environment variable, then
/// `models/SmolLM2-135M-Instruct.Q4_1.gguf` relative to the current directory.
///
/// ```swift
/// let path = try ModelLocator.resolve(explicitPath: options.model)
/// let gguf = try GGUFFile(path: path)
/// ```
public enum ModelLocator {
    /// The default model's file name, under `models/`.
    public static let defaultModelRelativePath = "models/SmolLM2-135M-Instruct.Q4_1.gguf"

    /// The path the default model is looked for at (it may not exist).
    public static func defaultModelPath() -> String {
        if let env = getenv("ARBOR_MODEL"), let path = String(validatingCString: env), !path.isEmpty {
            return path
        }
        return defaultModelRelativePath
    }

    /// `explicitPath` if given, else `defaultModelPath()`; throws when the file does not exist.
    public static func resolve(explicitPath: String? = nil) throws -> String {
        let path = explicitPath ?? defaultModelPath()
        guard access(path, R_OK) == 0 else {
            throw ModelLocatorError.modelNotFound(path: path, wasExplicit: explicitPath != nil)
        }
        return path
    }
}

/// Why no model file could be found.
public enum ModelLocatorError: Error, Sendable, Equatable, CustomStringConvertible {
    case modelNotFound(path: String, wasExplicit: Bool)

    public var description: String {
        switch self {
        case .modelNotFound(let path, let wasExplicit):
            if wasExplicit {
                return "No model file at \(path); check the --model path."
            }
            return "No model file at \(path). Run `make setup` to fetch the default model, or set ARBOR_MODEL to a GGUF file."
        }
    }
}
