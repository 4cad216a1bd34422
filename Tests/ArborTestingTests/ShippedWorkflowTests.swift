import ArborTesting
import ArborTools
import Foundation
import XCTest

/// The tests of the workflows in `Workflows/` pass with the default model, replaying their
/// cassettes (or, for `live: true` cases, calling their local tools): what `arbor test
/// Workflows` checks, run by the project's test command.
final class ShippedWorkflowTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    func testEveryShippedWorkflowTestPassesInReplay() async throws {
        let defaultModel = Self.packageRoot + "/models/SmolLM2-135M-Instruct.Q4_1.gguf"
        let model = ProcessInfo.processInfo.environment["ARBOR_MODEL"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultModel
        guard FileManager.default.fileExists(atPath: model) else {
            return XCTFail("The model \(model) is missing; run `make setup` to fetch it (or set ARBOR_MODEL).")
        }
        // Command assertions and the document tools' `root:` are relative to the directory Arbor runs in.
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(Self.packageRoot))
        let suites = TestSuiteLoader.load(paths: [Self.packageRoot + "/Workflows"])
        XCTAssertEqual(suites.count, 6, suites.map(\.workflowPath).joined(separator: ", "))
        XCTAssertTrue(suites.allSatisfy { !$0.cases.isEmpty }, "every shipped workflow has tests")
        let runner = TestRunner(executor: WorkflowCaseExecutor(modelPath: model, threads: ProcessInfo.processInfo.activeProcessorCount),
                                options: TestRunOptions(mode: .replay, jobs: 1),
                                liveTools: { try await ToolBox(workflow: $0) })
        let report = await runner.run(suites)
        XCTAssertTrue(report.allPassed, report.text)
        print(report.text)
    }
}
