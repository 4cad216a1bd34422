import ArborSchema
import ArborSpec
import Foundation
import XCTest

/// The output of `arbor validate` and `arbor schema`, through the library calls the CLI uses.
final class ValidationReportTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testTextFormatIsFileLineColumnWithHintLines() throws {
        let path = try write("bad.yaml", "arbor: 1\nname: demo\ninstructions: x\noutput: str\nlimits: {max_depht: 2}\n")
        let report = ValidationReport(files: [path])
        XCTAssertFalse(report.isValid)
        XCTAssertEqual(report.text, "\(path):5:10: error: unknown key `max_depht` in `limits`\n  hint: did you mean `max_depth`?\n")
    }

    func testValidFilesGiveNoOutputAndSuccess() throws {
        let good = FixturePaths.packageRoot.appendingPathComponent("Workflows/math-solver.yaml").path
        let report = ValidationReport(files: [good, good])
        XCTAssertTrue(report.isValid)
        XCTAssertEqual(report.text, "")
        XCTAssertEqual(report.json, "[]\n")
    }

    func testJSONFormatListsEveryFieldForEveryFile() throws {
        let first = try write("a.yaml", "arbor: 1\nname: a\ninstructions: x\noutput: str\ntools:\n  - name: t\n    description: d\n    command: ls -l\n")
        let second = try write("b.yaml", "arbor: [1\n")
        let report = ValidationReport(files: [first, second])
        let json = try JSONValue(parsing: report.json)
        XCTAssertEqual(json.arrayValue?.count, 2)
        XCTAssertEqual(json[0], ["file": .string(first), "line": 8, "column": 14, "severity": "error",
                                 "message": "`command` must be a list of arguments, not one string; Arbor never runs a shell",
                                 "hint": "write `command: [\"ls\", \"-l\"]`"])
        XCTAssertEqual(json[1]?["file"], .string(second))
        XCTAssertEqual(json[1]?["hint"], .null)
    }

    func testWarningsDoNotFailValidation() throws {
        let path = try write("warn.yaml", "arbor: 1\nname: w\ninstructions: x\noutput: str\ntools:\n  - name: c\n    builtin: calculator\nlimits: {max_tool_calls: 0}\n")
        let report = ValidationReport(files: [path])
        XCTAssertEqual(report.diagnostics.map(\.severity), [.warning])
        XCTAssertTrue(report.isValid)
    }

    func testSchemaCheckReportsPointersAndFailure() throws {
        let schema = try write("s.json", #"{"type": "object", "properties": {"n": {"type": "integer", "minimum": 0}}, "required": ["n"]}"#)
        let good = try write("good.json", #"{"n": 3}"#)
        let bad = try write("bad.json", #"{"n": -1}"#)
        let broken = try write("broken.json", #"{"n": "#)
        let outcome = SchemaTool.check(schemaPath: schema, instances: [good, bad, broken])
        XCTAssertFalse(outcome.success)
        XCTAssertTrue(outcome.output.contains("\(good): valid\n"), outcome.output)
        XCTAssertTrue(outcome.output.contains("\(bad): /n: "), outcome.output)
        XCTAssertTrue(outcome.errors.hasPrefix("\(broken):1:"), outcome.errors)
        XCTAssertTrue(SchemaTool.check(schemaPath: schema, instances: [good]).success)
    }

    func testSchemaCheckRejectsAnUnsupportedSchema() throws {
        let schema = try write("s.json", #"{"not": {"type": "string"}}"#)
        let outcome = SchemaTool.check(schemaPath: schema, instances: [])
        XCTAssertFalse(outcome.success)
        XCTAssertTrue(outcome.errors.contains("`not` is not supported"), outcome.errors)
    }

    func testSchemaShowPrintsTheOutputSchema() throws {
        let path = try write("w.yaml", "arbor: 1\nname: w\ninstructions: x\noutput:\n  score: int[0,10]\n")
        let outcome = SchemaTool.show(specPath: path)
        XCTAssertTrue(outcome.success)
        XCTAssertEqual(try JSONValue(parsing: outcome.output),
                       ["properties": ["score": ["maximum": 10, "minimum": 0, "title": "Score", "type": "integer"]],
                        "required": ["score"], "title": "Output", "type": "object"])
        let broken = try write("x.yaml", "arbor: 1\n")
        XCTAssertFalse(SchemaTool.show(specPath: broken).success)
    }

    func testSchemaShowPrintsInputsAndToolParameters() throws {
        let research = FixturePaths.packageRoot.appendingPathComponent("Workflows/research-agent.yaml").path
        let inputs = SchemaTool.show(specPath: research, part: .inputs)
        XCTAssertEqual(try JSONValue(parsing: inputs.output)["title"], "Inputs")
        let search = SchemaTool.show(specPath: research, part: .toolParameters("search"))
        XCTAssertEqual(try JSONValue(parsing: search.output)["title"], "SearchParameters")
        XCTAssertEqual(try JSONValue(parsing: search.output)["required"], ["query"])
        let fetch = SchemaTool.show(specPath: research, part: .toolParameters("fetch"))
        XCTAssertFalse(fetch.success)
        XCTAssertTrue(fetch.errors.contains("come from its MCP server"), fetch.errors)
        let missing = SchemaTool.show(specPath: research, part: .toolParameters("serch"))
        XCTAssertTrue(missing.errors.contains("did you mean `search`?"), missing.errors)
    }
}

extension ValidationReportTests {
    func testAMissingModelFileIsAWarningResolvedNextToTheWorkflow() throws {
        let yaml = "arbor: 1\nname: w\ninstructions: x\noutput: str\nmodel:\n  file: tiny.gguf\n"
        let path = try write("w.yaml", yaml)
        var report = ValidationReport(files: [path])
        XCTAssertTrue(report.isValid)
        XCTAssertEqual(report.diagnostics.map { "\($0.line):\($0.column) \($0.severity)" }, ["6:9 warning"])
        XCTAssertTrue(report.diagnostics[0].message.contains(directory.appendingPathComponent("tiny.gguf").path))
        _ = try write("tiny.gguf", "")
        report = ValidationReport(files: [path])
        XCTAssertEqual(report.diagnostics, [])
    }
}
