import ArborSchema
import ArborSpec
import MCP
import XCTest
@testable import ArborServer

/// Workflows as MCP tool descriptions: names, schemas, and the wrapping of non-object answers.
final class WorkflowToolTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static var workflowsFolder: String { packageRoot.appendingPathComponent("Workflows").path }

    func testEveryShippedWorkflowBecomesAToolWithItsInputAndOutputSchemas() throws {
        let tools = try WorkflowCatalog.load([Self.workflowsFolder])
        XCTAssertEqual(tools.map(\.name), ["extract-invoice", "long-report", "math-solver", "research-agent", "research-local", "triage-issue"])
        let math = try XCTUnwrap(tools.first { $0.name == "math-solver" })
        XCTAssertFalse(math.wrapsAnswer)
        XCTAssertEqual(math.inputSchema["required"], ["problem"])
        XCTAssertEqual(math.outputSchema["properties"]?["confidence"]?["enum"], ["certain", "likely", "unsure"])
        let listed = math.mcpTool
        XCTAssertEqual(listed.inputSchema.objectValue?["type"], .string("object"))
        XCTAssertEqual(listed.outputSchema?.objectValue?["type"], .string("object"))
        XCTAssertTrue(listed.description?.contains("calculator") ?? false)
    }

    func testANonObjectAnswerIsWrappedAsResult() throws {
        let yaml = """
            arbor: 1
            name: list-maker
            inputs: {topic: str}
            instructions: List three words about {{topic}}.
            output_schema: {type: array, items: {type: string}}
            """
        let (workflow, diagnostics) = WorkflowLoader.load(text: yaml)
        let loaded = try XCTUnwrap(workflow, diagnostics.map(\.description).joined(separator: "\n"))
        let tool = WorkflowTool(path: "list.yaml", workflow: loaded, specText: yaml)
        XCTAssertEqual(tool.name, "list-maker")
        XCTAssertTrue(tool.wrapsAnswer)
        XCTAssertEqual(tool.outputSchema["required"], ["result"])
        XCTAssertEqual(tool.structuredContent(for: ["a", "b"]), ["result": ["a", "b"]])
        let document = try SchemaDocument(compiling: tool.outputSchema)
        XCTAssertTrue(document.validate(tool.structuredContent(for: ["a"])).isEmpty)
    }

    func testAFolderWithoutWorkflowsAndAMissingPathAreErrorsThatSayWhatToDo() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-mcp-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        XCTAssertThrowsError(try WorkflowCatalog.load([empty.path])) { error in
            XCTAssertTrue("\(error)".contains("no workflow found"), "\(error)")
        }
        XCTAssertThrowsError(try WorkflowCatalog.load(["/no/such/folder"])) { error in
            XCTAssertTrue("\(error)".contains("no such file or folder"), "\(error)")
        }
    }
}
