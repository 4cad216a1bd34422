import ArborSchema
import Foundation
import XCTest

/// The shorthand compiles to exactly what Pydantic v2 emits for the equivalent model.
///
/// The golden files come from `Fixtures/shorthand/make_golden.py`, which builds each case's
/// Pydantic model by hand and dumps `model_json_schema()`.
final class ShorthandGoldenTests: XCTestCase {
    func testEveryGoldenCaseMatchesPydanticIncludingKeyOrder() throws {
        let files = try FixturePaths.files(in: FixturePaths.fixtures.appendingPathComponent("shorthand/golden"), withExtension: "json")
        XCTAssertGreaterThanOrEqual(files.count, 20)
        for file in files {
            let data = try Data(contentsOf: file)
            let golden = try JSONValue(parsing: data)
            let name = file.deletingPathExtension().lastPathComponent
            var compiler = ShorthandCompiler(types: golden["types"]?.objectValue ?? [:])
            let declaration = try XCTUnwrap(golden["declaration"], name)
            let actual = compiler.compileType(declaration, title: golden["title"]?.stringValue ?? "Model", at: .root)
            XCTAssertEqual(compiler.errors, [], name)
            XCTAssertEqual(actual, golden["expected"], "\(name):\n\(actual.prettyString)")
            XCTAssertEqual(actual.prettyString, golden["expected"]?.prettyString, "\(name): key order differs")
        }
    }
}
