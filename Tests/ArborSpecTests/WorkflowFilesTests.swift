import ArborSchema
import ArborSpec
import Foundation
import XCTest

/// Every workflow shipped in `Workflows/` loads without a single diagnostic.
final class WorkflowFilesTests: XCTestCase {
    func workflowFiles() throws -> [URL] {
        try FixturePaths.files(in: FixturePaths.packageRoot.appendingPathComponent("Workflows"), withExtension: "yaml")
    }

    func testEveryShippedWorkflowLoadsWithoutDiagnostics() throws {
        let files = try workflowFiles()
        XCTAssertGreaterThanOrEqual(files.count, 4)
        for file in files {
            let (workflow, diagnostics) = WorkflowLoader.load(path: file.path)
            XCTAssertEqual(diagnostics.map(\.description), [], file.lastPathComponent)
            XCTAssertNotNil(workflow, file.lastPathComponent)
        }
    }
}

/// `Schemas/workflow.schema.json` accepts every shipped workflow and rejects broken ones.
final class WorkflowSchemaTests: XCTestCase {
    func loadSchema() throws -> SchemaDocument {
        let url = FixturePaths.packageRoot.appendingPathComponent("Schemas/workflow.schema.json")
        return try SchemaDocument(compiling: try JSONValue(parsing: try Data(contentsOf: url)))
    }

    func testEveryShippedWorkflowValidatesAgainstThePublishedSchema() throws {
        let schema = try loadSchema()
        let files = try FixturePaths.files(in: FixturePaths.packageRoot.appendingPathComponent("Workflows"), withExtension: "yaml")
        XCTAssertGreaterThanOrEqual(files.count, 4)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            XCTAssertTrue(text.hasPrefix("# yaml-language-server: $schema=../Schemas/workflow.schema.json"), file.lastPathComponent)
            let document = try WorkflowLoader.json(fromYAML: text)
            XCTAssertEqual(schema.validate(document).map(\.description), [], file.lastPathComponent)
        }
    }

    func testThePublishedSchemaRejectsCommonMistakes() throws {
        let schema = try loadSchema()
        let mistakes: [(String, String)] = [
            ("arbor: 1\nname: x\ninstructions: y\n", "no output"),
            ("arbor: 2\nname: x\ninstructions: y\noutput: str\n", "wrong version"),
            ("arbor: 1\nname: x\ninstructions: y\noutput: str\ninstruction: z\n", "unknown key"),
            ("arbor: 1\nname: x\ninstructions: y\noutput: str\ntools:\n  - name: t\n    command: ls -l\n", "command as a string"),
            ("arbor: 1\nname: x\ninstructions: y\noutput: str\ntools:\n  - name: t\n    builtin: calculator\n    command: [ls]\n", "two implementations"),
            ("arbor: 1\nname: x\ninstructions: y\noutput: str\nlimits: {max_depth: 0}\n", "limit out of range"),
        ]
        for (yaml, label) in mistakes {
            XCTAssertFalse(schema.isValid(try WorkflowLoader.json(fromYAML: yaml)), label)
        }
    }
}

/// Every schema a shipped workflow hands to the grammar compiler compiles in ArborSchema.
final class WorkflowSchemasCompileTests: XCTestCase {
    func testInputsOutputAndToolParameterSchemasAllCompile() throws {
        let files = try FixturePaths.files(in: FixturePaths.packageRoot.appendingPathComponent("Workflows"), withExtension: "yaml")
        var compiled = 0
        for file in files {
            let workflow = try WorkflowLoader.loadValid(path: file.path)
            var schemas: [(String, JSONValue)] = [("inputs", workflow.inputsSchema), ("output", workflow.outputSchema)]
            for tool in workflow.tools {
                if case .schema(let parameters) = tool.parameters { schemas.append(("tool \(tool.name)", parameters)) }
            }
            for (label, schema) in schemas {
                XCTAssertNoThrow(try SchemaDocument(compiling: schema), "\(file.lastPathComponent): \(label)")
                compiled += 1
            }
        }
        XCTAssertGreaterThanOrEqual(compiled, 20)
    }
}
