import ArborSchema
import XCTest

final class ShorthandCompilerTests: XCTestCase {
    func testUnknownNamedTypeReportsPointerAndHint() {
        var compiler = ShorthandCompiler(types: ["Source": ["url": "str"]])
        _ = compiler.compileModel(["sources": "list[Sorce]"], title: "Output", at: JSONPointer(tokens: ["output"]))
        XCTAssertEqual(compiler.errors.count, 1)
        XCTAssertEqual(compiler.errors.first?.pointer.string, "/output/sources")
        XCTAssertEqual(compiler.errors.first?.hint, "did you mean `Source`?")
    }

    func testErrorsInsideTypesAreReportedOnceWithTheirPointer() {
        var compiler = ShorthandCompiler(types: ["Bad": ["x": "int[5,1]"], "Alias": "Alias2", "Alias2": "list[Alias]"])
        _ = compiler.compileModel(["a": "Bad", "b": "Bad"], title: "Output", at: .root)
        let pointers = compiler.errors.map(\.pointer.string)
        XCTAssertEqual(pointers.filter { $0 == "/types/Bad/x" }.count, 1)
        XCTAssertTrue(compiler.errors.contains { $0.message.contains("refers to itself") }, "\(compiler.errors)")
    }

    func testConstraintOnTheWrongTypeIsAnError() {
        var compiler = ShorthandCompiler()
        _ = compiler.compileModel(["n": ["type": "int", "pattern": "^a"], "s": ["type": "str", "ge": 1]], title: "M", at: .root)
        XCTAssertEqual(compiler.errors.map(\.pointer.string), ["/n/pattern", "/s/ge"])
    }

    func testBadRegexInPatternIsAnError() {
        var compiler = ShorthandCompiler()
        _ = compiler.compileModel(["code": ["type": "str", "pattern": "(a"]], title: "M", at: .root)
        XCTAssertEqual(compiler.errors.first?.pointer.string, "/code/pattern")
    }

    func testMisspeltLongFormOptionGetsAHint() {
        var compiler = ShorthandCompiler()
        _ = compiler.compileModel(["q": ["type": "str", "descripton": "The question"]], title: "M", at: .root)
        XCTAssertEqual(compiler.errors.first?.pointer.string, "/q/descripton")
        XCTAssertEqual(compiler.errors.first?.hint, "did you mean `description`?")
    }

    func testPythonTitles() {
        XCTAssertEqual(ShorthandCompiler.pythonTitle("line_items"), "Line Items")
        XCTAssertEqual(ShorthandCompiler.pythonTitle("url2x"), "Url2X")
        XCTAssertEqual(ShorthandCompiler.pythonTitle("_x_"), "X")
        XCTAssertEqual(ShorthandCompiler.pascalCase("line_items"), "LineItems")
    }
}

extension ShorthandCompilerTests {
    func testNestedModelNamesAreScopedToTheirDocument() {
        var compiler = ShorthandCompiler(types: ["Place": ["address": ["city": "str"]]])
        let inputs = compiler.compileModel(["address": ["street": "str"]], title: "Inputs", at: JSONPointer(tokens: ["inputs"]))
        let output = compiler.compileModel(["address": ["zip": "str"], "place": "Place"], title: "Output", at: JSONPointer(tokens: ["output"]))
        XCTAssertEqual(compiler.errors, [])
        // The `types:` section's nested `Address` keeps its name everywhere; documents number around it.
        XCTAssertEqual(inputs["$defs"]?.objectValue?.keys, ["Address2"])
        XCTAssertEqual(output["$defs"]?.objectValue?.keys, ["Address", "Address2", "Place"])
        XCTAssertEqual(output["$defs"]?["Address2"]?["properties"]?.objectValue?.keys, ["zip"])
        XCTAssertEqual(output["$defs"]?["Address"]?["properties"]?.objectValue?.keys, ["city"])
    }

    func testASecondDocumentReusesANestedNameTheFirstOneUsed() {
        var compiler = ShorthandCompiler()
        _ = compiler.compileModel(["meta": ["a": "int"]], title: "Inputs", at: .root)
        let output = compiler.compileModel(["meta": ["b": "int"]], title: "Output", at: .root)
        XCTAssertEqual(output["$defs"]?.objectValue?.keys, ["Meta"])
        XCTAssertEqual(output["$defs"]?["Meta"]?["properties"]?.objectValue?.keys, ["b"])
    }
}
