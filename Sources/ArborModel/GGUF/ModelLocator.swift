#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the model file a command should use when none is given.
///
/// Order: the `ARBOR_MODEL` environment variable, then
/// `models/SmolLM2-135M-Instruct.Q4_1.gguf` relative to the current directory, then the same
/// under the folders holding the running executable (so `.build/release/arbor` finds the
/// checkout's model from any directory).
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
        if access(defaultModelRelativePath, R_OK) == 0 { return defaultModelRelativePath }
        return besideExecutable() ?? defaultModelRelativePath
    }

    /// `models/…` in the executable's folder or one of its four nearest ancestors.
    private static func besideExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        var folder = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        for _ in 0..<5 {
            guard let slash = folder.lastIndex(of: "/"), slash != folder.startIndex else { return nil }
            folder = String(folder[..<slash])
            let candidate = folder + "/" + defaultModelRelativePath
            if access(candidate, R_OK) == 0 { return candidate }
        }
        return nil
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
