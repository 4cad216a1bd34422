@testable import ArborRuntime
import XCTest

/// The calculation a prose `=` ends, read from the text alone.
final class ProseArithmeticTests: XCTestCase {
    func testCalculationsAsSmallModelsWriteThem() {
        let cases: [(String, String?)] = [
            ("Tom pays 8 * 7 =", "8 * 7"),
            ("The pens cost 8 pens × $7 each =", "8 * 7"),
            ("So 56 + 2 * 5 dollars =", "56 + 2 * 5"),
            ("\\( 8 \\times 7 + 2 \\cdot 5 =", "8 * 7 + 2 * 5"),
            ("Total: (8 * 7) + (2 * 5) =", "(8 * 7) + (2 * 5)"),
            ("He earns $1,200 - $350 =", "1200 - 350"),
            ("6 miles * 1.60934 km/mile =", "6 * 1.60934"),
            ("Step 2: 56 + 10 =", "56 + 10"),
            ("1. 3 x 12 =", "3 * 12"),
            ("120 ÷ 4 =", "120 / 4"),
            ("It is 0.5 * .25 =", "0.5 * 0.25"),
            ("So 8 * 7 = 56 and 56 + 10 =", "56 + 10"),
            ("The total =", nil),
            ("x =", nil),
            ("He has 56 apples =", nil),
            ("cost (8 * 7 =", "8 * 7"),
            ("12, 15 and 3 + 4 =", "3 + 4"),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(ProseArithmetic.expression(before: Substring(text.dropLast())), expected, text)
        }
    }
}

/// A calculation written after its `=`, as the model leaves it before it moves on.
final class ProseUnworkedCalculationTests: XCTestCase {
    func testCalculationsWrittenAfterTheirEquals() {
        let cases: [(String, Bool)] = [
            // wp-001 and wp-002 as Qwen2.5-Coder-0.5B wrote them
            ("- Tom buys 8 pens at $7 each.\n- Total cost for pens = 8 * $7", true),
            ("\\[\n\\text{Total cost of pens} = 12 \\times \\$4", true),
            ("\\text{Total chocolates} = 5 \\times 9", true),
            ("So the total = 56 + 10", true),
            // worked out already, or no calculation
            ("Total cost for pens = 8 * $7 = 56", false),
            ("\\text{Final trees} = \\text{Total trees} + 5", false),
            ("\\text{Total trees} = \\text{Number of rows} \\times \\text{Trees per row}", false),
            ("Tom buys 8 * 7 pens", false),
            ("x = 5", false),
            // Python assignments inside a code block
            ("```python\nnum_pens = 8\ntotal = 8 * 7", false),
            ("```python\nx = 1\n```\nSo the total = 8 * 7", true),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(ProseArithmetic.endsWithUnworkedCalculation(Substring(text)), expected, text)
        }
    }
}
