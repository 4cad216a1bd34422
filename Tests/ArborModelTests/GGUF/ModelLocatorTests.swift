@testable import ArborModel
import ArborTestSupport
import Foundation
import XCTest

final class ModelLocatorTests: XCTestCase {
    func testEnvironmentVariableOverridesTheDefaultPath() {
        let saved = ProcessInfo.processInfo.environment["ARBOR_MODEL"]
        defer {
            if let saved { setenv("ARBOR_MODEL", saved, 1) } else { unsetenv("ARBOR_MODEL") }
        }
        unsetenv("ARBOR_MODEL")
        XCTAssertEqual(ModelLocator.defaultModelPath(), "models/SmolLM2-135M-Instruct.Q4_1.gguf")
        setenv("ARBOR_MODEL", "/tmp/other.gguf", 1)
        XCTAssertEqual(ModelLocator.defaultModelPath(), "/tmp/other.gguf")
    }

    func testMissingModelErrorsSayWhatToDo() {
        XCTAssertThrowsError(try ModelLocator.resolve(explicitPath: "/nonexistent/m.gguf")) { error in
            XCTAssertEqual(error as? ModelLocatorError, .modelNotFound(path: "/nonexistent/m.gguf", wasExplicit: true))
            XCTAssertTrue("\(error)".contains("--model"))
        }
        let implicit = ModelLocatorError.modelNotFound(path: "models/x.gguf", wasExplicit: false)
        XCTAssertTrue(implicit.description.contains("make setup"))
        XCTAssertTrue(implicit.description.contains("ARBOR_MODEL"))
    }

    func testExistingExplicitPathResolvesToItself() throws {
        let path = try ModelFiles.defaultModelPath()
        XCTAssertEqual(try ModelLocator.resolve(explicitPath: path), path)
    }
}
