@testable import ArborRuntime
import XCTest

/// The output of the arithmetic programs small code models write in their prose, run by the
/// runtime instead of guessed.
final class ProseProgramTests: XCTestCase {
    /// wp-001 as Qwen2.5-Coder-0.5B wrote it (greedy): a right program, then an invented
    /// output of 35.
    func testStraightLineProgramAsTheModelWroteIt() {
        let text = """
            Let's implement this in Python using sympy:
            ```python
            import sympy as sp
            # Define the number of pens and notebooks
            num_pens = 8
            num_notebooks = 2
            price_per_pen = 7
            price_per_notebook = 5
            total_cost_pens = num_pens * price_per_pen
            total_cost_notebooks = num_notebooks * price_per_notebook  # notebooks
            final_total_cost = total_cost_pens + total_cost_notebooks
            # Print the final answer
            print("Answer: ", final_total_cost)
            ```
            ```output

            """
        XCTAssertEqual(ProseProgram.output(endingAt: Substring(text)), "Answer: 66\n")
    }

    func testPythonTypesAndFormats() {
        let cases: [(String, String?)] = [
            ("a = 7 / 2\nprint(a)", "3.5\n"),
            ("print(7 // 2, -7 % 3, 2 ** 3, 2 ** -1)", "3 2 8 0.5\n"),
            ("x = 3 * 2.5 * 1.60934\nprint(round(x, 2))", "12.07\n"),
            ("total = 66 / 1\nprint(total)", "66.0\n"),
            ("x = 10\nx += 5\nx *= 2\nprint(x)", "30\n"),
            ("km = 12.0701\nprint(f\"Total: {km:.2f} km\")", "Total: 12.07 km\n"),
            ("n = 1234567\nprint(f'{n:,} items')", "1,234,567 items\n"),
            ("import math\nprint(math.ceil(31 / 4), math.floor(2.7), max(3, 9.5), abs(-4))", "8 2 9.5 4\n"),
            ("print(-2 ** 2, (1 + 2) * 3)", "-4 9\n"),
            ("print(0.1 + 0.2)", "0.30000000000000004\n"),
            // not plain arithmetic: nothing is written
            ("x = sp.symbols('x')\nprint(x)", nil),
            ("for i in range(3):\n    print(i)", nil),
            ("def f(a):\n    return a * 2\nprint(f(3))", nil),
            ("print(undefined_name)", nil),
            ("x = 5", nil),
            ("print(1 / 0)", nil),
        ]
        for (program, expected) in cases {
            let text = "```python\n" + program + "\n```\n```output\n"
            XCTAssertEqual(ProseProgram.output(endingAt: Substring(text)), expected, program)
        }
    }

    func testOnlyAFinishedPythonBlockFollowedByItsOutputMarker() {
        XCTAssertNil(ProseProgram.output(endingAt: "```python\nprint(1 + 1)\n```\nThe output is\n```output\n"))
        XCTAssertNil(ProseProgram.output(endingAt: "```bash\necho 2\n```\n```output\n"))
        XCTAssertNil(ProseProgram.output(endingAt: "```python\nprint(1 + 1)\n```\n"))
        XCTAssertEqual(ProseProgram.output(endingAt: "```python\nprint(1 + 1)\n```\n\n```output\n"), "2\n")
    }
}
