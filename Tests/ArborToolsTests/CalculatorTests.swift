@testable import ArborTools
import ArborSchema
import XCTest

final class CalculatorTests: XCTestCase {
    /// Expressions whose result is an exact fraction, written "n" or "n/d".
    func testExactResultsAreExactFractions() throws {
        let cases: [(String, String)] = [
            ("0.1 + 0.2", "3/10"),
            ("1/3 * 3", "1"),
            ("1/3 + 1/6", "1/2"),
            ("2 + 3 * 4", "14"),
            ("(2 + 3) * 4", "20"),
            ("2 ^ 10", "1024"),
            ("2 ^ 3 ^ 2", "512"),           // right-associative
            ("-2 ^ 2", "-4"),               // unary minus binds looser than ^
            ("(-2) ^ 2", "4"),
            ("2 ^ -2", "1/4"),
            ("10 % 3", "1"),
            ("-7 % 3", "2"),                // sign of the divisor
            ("7.5 % 2", "3/2"),
            ("1.5e3 + 0.25", "6001/4"),
            ("12.5e-3", "1/80"),
            ("sqrt(16/9)", "4/3"),
            ("abs(-2.5)", "5/2"),
            ("floor(-2.5)", "-3"),
            ("ceil(-2.5)", "-2"),
            ("round(2.5)", "3"),
            ("round(-2.5)", "-3"),
            ("min(3, 1/2, 2)", "1/2"),
            ("max(3, 1/2, 2)", "3"),
            ("4 ^ 0.5", "2"),
            ("--3", "3"),
            ("1_000 * 3", "3000"),
            ("6 ÷ 4 × 2", "3"),
            ("0.1 * 3 - 0.3", "0"),
        ]
        for (expression, expected) in cases {
            guard case .exact(let value) = try Calculator.evaluate(expression) else {
                XCTFail("\(expression) was not exact"); continue
            }
            XCTAssertEqual(value.description, expected, expression)
        }
    }

    func testIrrationalFunctionsFallBackToDouble() throws {
        let cases: [(String, Double)] = [
            ("sqrt(2)", 2.0.squareRoot()),
            ("pi", Double.pi),
            ("2 * pi", 2 * Double.pi),
            ("ln(e)", 1),
            ("log10(1000)", 3),
            ("log2(8)", 3),
            ("exp(0)", 1),
            ("sin(0)", 0),
            ("cos(0)", 1),
            ("2 ^ 0.3", pow(2, 0.3)),
            ("9223372036854775807 + 1", 9223372036854775808.0),   // overflows Int64
        ]
        for (expression, expected) in cases {
            guard case .approximate(let value) = try Calculator.evaluate(expression) else {
                XCTFail("\(expression) claimed to be exact"); continue
            }
            XCTAssertEqual(value, expected, accuracy: 1e-12, expression)
        }
    }

    func testMalformedExpressionsNameTheProblemAndPosition() {
        let cases: [(String, String)] = [
            ("1 / 0", "division by zero (at character 3)"),
            ("2 +", "the expression ends where a number was expected (at character 4)"),
            ("(1 + 2", "missing ')' (at character 7)"),
            ("1 + foo", "unknown name 'foo' (at character 5)"),
            ("bar(2)", "unknown function 'bar' (at character 1)"),
            ("1 2", "unexpected '2' (at character 3)"),
            ("sqrt(-1)", "sqrt of a negative number (at character 1)"),
            ("1.2.3", "'1.2.3' is not a number (at character 1)"),
            ("sqrt(1, 2)", "sqrt takes one argument, not 2 (at character 1)"),
            ("5 % 0", "remainder of a division by zero (at character 3)"),
            ("0 ^ -1", "zero raised to a negative power (at character 3)"),
            ("", "the expression ends where a number was expected (at character 1)"),
            (String(repeating: "(", count: 500) + "1", "the expression is nested too deeply (at character 200)"),
            (String(repeating: "2^", count: 5000) + "2", "the expression is nested too deeply (at character 399)"),
            (String(repeating: "-", count: 5000) + "2", "the expression is nested too deeply (at character 200)"),
            ("2 ^ 100000", "the result is not a finite number"),
        ]
        for (expression, expected) in cases {
            let label = String(expression.prefix(40))
            XCTAssertThrowsError(try Calculator.evaluate(expression), label) { error in
                XCTAssertEqual((error as? Calculator.Failure)?.description, expected, label)
            }
        }
    }

    func testToolResultCarriesFractionAndDecimal() async throws {
        let tool = BuiltinToolImplementation(.calculator)
        let third = try await tool.call(arguments: ["expression": "1/3"])
        XCTAssertEqual(third["fraction"], "1/3")
        XCTAssertEqual(third["exact"], true)
        XCTAssertNil(third["decimal"])
        XCTAssertEqual(third["result"]?.doubleValue ?? 0, 1.0 / 3.0, accuracy: 1e-15)
        let sum = try await tool.call(arguments: ["expression": "0.1+0.2"])
        XCTAssertEqual(sum, ["result": 0.3, "exact": true, "fraction": "3/10", "decimal": "0.3"])
        let product = try await tool.call(arguments: ["expression": "6*7"])
        XCTAssertEqual(product, ["result": 42, "exact": true])
        let square = try await tool.call(arguments: ["expression": "sqrt(2)^2"])
        XCTAssertEqual(square["exact"], false)
    }
}
