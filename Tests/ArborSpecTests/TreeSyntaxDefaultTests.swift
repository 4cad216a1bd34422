import ArborSpec
import XCTest

/// Without `model.tree_syntax`, a word-problem workflow (the calculator, one number out) types
/// prose, and every other workflow the JSON tree.
final class TreeSyntaxDefaultTests: XCTestCase {
    static func syntax(_ extra: String, output: String = "output:\n  answer: float\n") throws -> TreeSyntax {
        let text = "arbor: 1\nname: t\ninstructions: Solve it.\n" + extra + output
        let (workflow, diagnostics) = WorkflowLoader.load(text: text)
        return try XCTUnwrap(workflow, diagnostics.map(\.description).joined(separator: "\n")).model.treeSyntax
    }

    func testACalculatorWorkflowWithOneNumberOutWritesProse() throws {
        let calculator = "tools:\n  - name: calculator\n    builtin: calculator\n"
        XCTAssertEqual(try Self.syntax(calculator), .prose)
        XCTAssertEqual(try Self.syntax(calculator, output: "output:\n  answer: int\n"), .prose)
        XCTAssertEqual(try Self.syntax(calculator, output: "output:\n  answer: float\n  unit: str\n"), .json, "two members")
        XCTAssertEqual(try Self.syntax(calculator, output: "output:\n  answer: str\n"), .json, "not a number")
        XCTAssertEqual(try Self.syntax(""), .json, "no calculator")
        XCTAssertEqual(try Self.syntax("model:\n  tree_syntax: json\n" + calculator), .json, "as written")
        XCTAssertEqual(try Self.syntax("model:\n  tree_syntax: steps\n" + calculator), .steps, "as written")
    }
}
