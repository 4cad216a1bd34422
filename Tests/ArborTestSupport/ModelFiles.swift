import Foundation
import XCTest

/// Where the tests find the models `scripts/setup.sh` fetches, for every test target that
/// loads one: the default SmolLM2 and the optional Qwen2.5-Coder, each overridable by an
/// environment variable.
///
/// ```swift
/// let model = try LoadedModel(path: try ModelFiles.defaultModelPath())
/// if let qwen = ModelFiles.qwenModelPath() { /* also check the second family */ }
/// ```
public enum ModelFiles {
    /// The package root, two folders above this file's folder.
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The default model's path, `$ARBOR_MODEL` or models/SmolLM2-135M-Instruct.Q4_1.gguf,
    /// whether or not the file is there (for a child process's environment).
    public static var defaultModelLocation: String {
        location(env: "ARBOR_MODEL", relative: "models/SmolLM2-135M-Instruct.Q4_1.gguf")
    }

    /// The default model; fails the test with what to do when it is missing.
    public static func defaultModelPath(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try required(defaultModelLocation, env: "ARBOR_MODEL", file: file, line: line)
    }

    /// The Qwen2.5-Coder model (`$ARBOR_QWEN_MODEL` or
    /// models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf), nil when it is not there.
    public static func qwenModelPath() -> String? {
        let path = qwenModelLocation
        return FileManager.default.isReadableFile(atPath: path) ? path : nil
    }

    /// The Qwen2.5-Coder model, for the tests that need it; fails the test with what to do
    /// when it is missing.
    public static func requiredQwenModelPath(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try required(qwenModelLocation, env: "ARBOR_QWEN_MODEL", file: file, line: line)
    }

    private static var qwenModelLocation: String {
        location(env: "ARBOR_QWEN_MODEL", relative: "models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")
    }

    private static func location(env: String, relative: String) -> String {
        ProcessInfo.processInfo.environment[env].flatMap { $0.isEmpty ? nil : $0 } ?? packageRoot.appendingPathComponent(relative).path
    }

    private static func required(_ path: String, env: String, file: StaticString, line: UInt) throws -> String {
        guard FileManager.default.isReadableFile(atPath: path) else {
            XCTFail("No model at \(path): run `make setup` to fetch it, or set \(env).", file: file, line: line)
            throw XCTSkip("model missing")
        }
        return path
    }
}
