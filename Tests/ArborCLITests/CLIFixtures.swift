import ArborModel
import Foundation
import XCTest

/// The `arbor` binary run as a process on the runtime's workflow fixtures, with the default model.
enum CLIFixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The workflows the runtime's tests decode; the CLI runs the same files.
    static let folder = packageRoot.appendingPathComponent("Tests/ArborRuntimeTests/Fixtures")

    static var modelPath: String {
        ProcessInfo.processInfo.environment["ARBOR_MODEL"] ?? packageRoot.appendingPathComponent(ModelLocator.defaultModelRelativePath).path
    }

    /// The `arbor` executable `swift build --build-tests` puts beside the test bundle.
    static var arborBinary: String { packageRoot.appendingPathComponent(".build/debug/arbor").path }

    /// The `arbor` binary with `arguments`, set to run in the fixtures folder with the default
    /// model (and `environment` added); the caller connects its streams and starts it.
    static func arborProcess(_ arguments: [String], environment extra: [String: String] = [:]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arborBinary)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["ARBOR_MODEL"] = modelPath
        environment.merge(extra) { _, new in new }
        process.environment = environment
        return process
    }

    /// Fails with how to get the default model when it is missing.
    static func requireModel() throws {
        guard FileManager.default.fileExists(atPath: modelPath) else {
            XCTFail("No model at \(modelPath); run `make setup` to fetch the default model, or set ARBOR_MODEL.")
            throw XCTSkip("model missing")
        }
    }
}
