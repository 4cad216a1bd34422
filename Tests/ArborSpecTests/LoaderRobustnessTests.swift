import ArborSpec
import Foundation
import XCTest

/// Damaged workflow files give diagnostics inside the file, never a crash.
final class LoaderRobustnessTests: XCTestCase {
    func testEverySingleCharacterDeletionOrDuplicationIsHandled() throws {
        let files = try FixturePaths.files(in: FixturePaths.packageRoot.appendingPathComponent("Workflows"), withExtension: "yaml")
        var loaded = 0, rejected = 0
        for file in files {
            let original = Array(try String(contentsOf: file, encoding: .utf8))
            let lineCount = original.filter { $0 == "\n" }.count + 1
            for index in stride(from: 0, to: original.count, by: 41) {
                var deleted = original
                deleted.remove(at: index)
                var duplicated = original
                duplicated.insert(original[index], at: index)
                for variant in [deleted, duplicated] {
                    let (workflow, diagnostics) = WorkflowLoader.load(text: String(variant), file: file.lastPathComponent)
                    if workflow == nil {
                        rejected += 1
                        XCTAssertTrue(diagnostics.contains { $0.severity == .error }, "rejected without an error at \(index) in \(file.lastPathComponent)")
                    } else {
                        loaded += 1
                    }
                    for diagnostic in diagnostics {
                        XCTAssertTrue((1...lineCount + 1).contains(diagnostic.line) && diagnostic.column >= 1,
                                      "\(diagnostic) lies outside the file")
                    }
                }
            }
        }
        XCTAssertGreaterThan(rejected, 50, "damage should usually be noticed")
        XCTAssertGreaterThan(loaded, 0, "damage inside prose is harmless")
    }
}
