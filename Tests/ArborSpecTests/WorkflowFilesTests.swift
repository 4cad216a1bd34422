import ArborSchema
import ArborSpec
import Foundation
import XCTest

/// Every workflow shipped in `Workflows/` loads without a single diagnostic.
final class WorkflowFilesTests: XCTestCase {
    func workflowFiles() throws -> [URL] {
        try FixturePaths.files(in: FixturePaths.packageRoot.appendingPathComponent("Workflows"), withExtension: "yaml")
    }

    func testEveryShippedWorkflowLoadsWithoutDiagnostics() throws {
        let files = try workflowFiles()
        XCTAssertGreaterThanOrEqual(files.count, 4)
        for file in files {
            let (workflow, diagnostics) = WorkflowLoader.load(path: file.path)
            XCTAssertEqual(diagnostics.map(\.description), [], file.lastPathComponent)
            XCTAssertNotNil(workflow, file.lastPathComponent)
        }
    }
}
