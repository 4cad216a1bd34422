import ArborSpec
import Foundation
import XCTest

/// YAML written to exhaust the loader: it must be refused quickly, at the place of the
/// offending alias, never expanded.
final class HostileYAMLTests: XCTestCase {
    /// Ten anchors, each a list of ten aliases of the one before: 10¹⁰ nodes in 600 bytes.
    static let aliasBomb: String = {
        var lines = ["arbor: 1", "name: bomb", "instructions: x", "output: str", "a0: &a0 [lol]"]
        for level in 1...10 {
            lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    func testAliasBombIsRefusedAtTheAliasThatCrossesTheLimit() {
        let start = Date()
        let (workflow, diagnostics) = WorkflowLoader.load(text: Self.aliasBomb, file: "bomb.yaml")
        XCTAssertNil(workflow)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "the refusal must not expand the aliases first")
        XCTAssertEqual(diagnostics.count, 1)
        let diagnostic = try? XCTUnwrap(diagnostics.first)
        XCTAssertEqual(diagnostic?.message.contains("YAML aliases here expand to more than 100000 nodes"), true, "\(diagnostics)")
        // Levels 1–4 add 23,450 nodes through aliases; level 5 (line 10) adds 21,111 per alias
        // of level 4, so its fourth alias is the one past 100,000.
        XCTAssertEqual(diagnostic?.line, 10)
        XCTAssertEqual(diagnostic.map { "\($0)" }?.hasPrefix("bomb.yaml:10:"), true)
    }

    func testAnAliasUsedAsAMappingKeyCannotHangTheDuplicateCheck() {
        let text = Self.aliasBomb + "keys: {*a10: 1, *a9: 2}\n"
        let start = Date()
        let (workflow, _) = WorkflowLoader.load(text: text, file: "bomb.yaml")
        XCTAssertNil(workflow)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    func testModestAliasesStillExpand() throws {
        let text = """
            arbor: 1
            name: reuse
            inputs:
              question: &text str
              context: *text
            instructions: Answer {{question}} with {{context}}
            output:
              answer: str
            """
        let (workflow, diagnostics) = WorkflowLoader.load(text: text, file: "reuse.yaml")
        XCTAssertNotNil(workflow, "\(diagnostics)")
        XCTAssertEqual(workflow?.inputs.map(\.name), ["question", "context"])
    }

    func testTheJSONFormRefusesTheBombToo() {
        XCTAssertThrowsError(try WorkflowLoader.json(fromYAML: Self.aliasBomb, file: "bomb.yaml")) { error in
            XCTAssertTrue("\(error)".contains("bomb.yaml:10:"), "\(error)")
        }
    }

    func testAFileOverTheSizeLimitIsRefusedBeforeItIsParsed() throws {
        let big = "arbor: 1\nname: big\ninstructions: x\noutput: str\nnotes: \"" + String(repeating: "x", count: 8 << 20) + "\"\n"
        let (workflow, diagnostics) = WorkflowLoader.load(text: big, file: "big.yaml")
        XCTAssertNil(workflow)
        XCTAssertEqual(diagnostics.map(\.description), ["big.yaml:1:1: error: the file has \(big.utf8.count) bytes; Arbor reads YAML files of at most 8 MiB"])
        let path = NSTemporaryDirectory() + "arbor-big-\(UUID().uuidString).yaml"
        try big.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertEqual(WorkflowLoader.load(path: path).1.first?.message, "the file has \(big.utf8.count) bytes; Arbor reads YAML files of at most 8 MiB")
    }

    func testNestingPastLibyamlsLimitIsASyntaxErrorNotACrash() {
        let deep = "arbor: 1\nname: deep\ninstructions: x\noutput: str\nx: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "\n"
        let (workflow, diagnostics) = WorkflowLoader.load(text: deep, file: "deep.yaml")
        XCTAssertNil(workflow)
        XCTAssertTrue(diagnostics.first?.message.contains("YAML syntax error") == true, "\(diagnostics)")
        let fine = "arbor: 1\nname: deep\ninstructions: x\noutput: str\nx: " + String(repeating: "[", count: 900) + String(repeating: "]", count: 900) + "\n"
        XCTAssertTrue(WorkflowLoader.load(text: fine, file: "deep.yaml").1.first?.message.contains("unknown key `x`") == true)
    }
}
