import ArborSchema
import ArborSpec
@testable import ArborTesting
import Foundation
import XCTest

/// `arbor test --record` writes cassettes only inside the workflow's folder, and never over
/// a file that is not a cassette.
final class CassettePathTests: XCTestCase {
    func testACassetteOutsideTheWorkflowFolderIsRefusedWhereItIsWritten() throws {
        let folder = try makeTemporaryFolder(self)
        try FileManager.default.createDirectory(atPath: folder + "/flows", withIntermediateDirectories: true)
        try write(Fixture.workflowText(tests: """
          - name: escapes
            inputs: {question: "x"}
            cassette: ../../escaped/outside.json
          - name: absolute
            inputs: {question: "x"}
            cassette: /tmp/arbor-escaped.json
          - name: inside
            inputs: {question: "x"}
            cassette: recorded/../cassettes/inside.json
        """), to: folder + "/flows/calc.yaml")
        let suite = TestSuiteLoader.loadSuite(workflowPath: folder + "/flows/calc.yaml")
        let messages = suite.diagnostics.map { "\($0.line):\($0.column) \($0.message)" }
        XCTAssertEqual(messages.count, 2, messages.joined(separator: "\n"))
        XCTAssertTrue(messages.contains("20:15 the cassette `../../escaped/outside.json` lies outside the workflow's folder; `arbor test --record` writes only inside it"),
                      messages.joined(separator: "\n"))
        XCTAssertTrue(messages.contains { $0.hasPrefix("23:15 the cassette `/tmp/arbor-escaped.json` lies outside") }, messages.joined(separator: "\n"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/escaped"))
    }

    func testALinkedFolderThatLeavesTheWorkflowFolderCountsAsOutside() throws {
        let folder = try makeTemporaryFolder(self)
        let outside = try makeTemporaryFolder(self)
        try FileManager.default.createSymbolicLink(atPath: folder + "/elsewhere", withDestinationPath: outside)
        XCTAssertFalse(TestCaseDecoder.isInside(folder + "/elsewhere/c.json", folder: folder))
        XCTAssertTrue(TestCaseDecoder.isInside(folder + "/cassettes/c.json", folder: folder))
        XCTAssertFalse(TestCaseDecoder.isInside(folder + "-sibling/c.json", folder: folder))
    }

    func testRecordingNeverOverwritesAFileThatIsNotACassette() throws {
        let folder = try makeTemporaryFolder(self)
        let victim = folder + "/victim.txt"
        try write("precious notes\n", to: victim)
        let cassette = Cassette(workflow: "calc", testCase: "c", output: ["answer": 1])
        XCTAssertThrowsError(try cassette.write(to: victim)) { error in
            XCTAssertTrue("\(error)".contains("a file that is not an Arbor cassette is already there"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious notes\n")
        XCTAssertThrowsError(try cassette.write(to: folder), "a folder is not replaced either")

        let path = folder + "/cassettes/c.json"
        try cassette.write(to: path)
        var updated = cassette
        updated.output = ["answer": 2]
        try updated.write(to: path)
        XCTAssertEqual(try Cassette.load(path: path)?.output, ["answer": 2], "an existing cassette is re-recorded")
    }
}
