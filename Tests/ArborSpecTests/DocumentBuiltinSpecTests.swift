import ArborSchema
import ArborSpec
import XCTest

/// `builtin: search_documents` / `read_document` with `root:`: decoded into a binding, and
/// every misuse of `root` reported where it is written.
final class DocumentBuiltinSpecTests: XCTestCase {
    private func load(_ tools: String) -> (Workflow?, [SpecDiagnostic]) {
        WorkflowLoader.load(text: "arbor: 1\nname: demo\ninstructions: x\noutput: str\ntools:\n" + tools, file: "flow.yaml")
    }

    func testDocumentBuiltinsDecodeWithTheirRootAndFixedParameters() throws {
        let (workflow, diagnostics) = load("  - {name: search, builtin: search_documents, root: docs}\n  - {name: read, builtin: read_document, root: docs}\n")
        XCTAssertEqual(diagnostics, [])
        let tools = try XCTUnwrap(workflow?.tools)
        XCTAssertEqual(tools.map(\.implementation), [.documents(DocumentToolBinding(.searchDocuments, root: "docs")),
                                                     .documents(DocumentToolBinding(.readDocument, root: "docs"))])
        XCTAssertEqual(tools.map(\.description), [DocumentBuiltin.searchDocuments.summary, DocumentBuiltin.readDocument.summary])
        XCTAssertEqual(tools[1].parameters, .schema(DocumentBuiltin.readDocument.parametersSchema))
        let schema = try SchemaDocument(compiling: DocumentBuiltin.readDocument.parametersSchema)
        XCTAssertEqual(schema.validate(["id": "0a1b2c3d"]), [])
        XCTAssertFalse(schema.validate(["id": "../../etc/passwd"]).isEmpty, "an id is eight hex digits, never a path")
        let search = try SchemaDocument(compiling: DocumentBuiltin.searchDocuments.parametersSchema)
        XCTAssertFalse(search.validate(["query": "tea", "limit": 11]).isEmpty, "results are bounded")
    }

    func testRootMistakesAreReportedWhereWritten() {
        let cases: [(String, Int, Int, String)] = [
            ("  - {name: search, builtin: search_documents}\n", 6, 5, "the tool `search` needs `root:`, the folder of documents it searches"),
            ("  - {name: search, builtin: search_documents, root: \"\"}\n", 6, 53, "`root` must not be empty"),
            ("  - {name: search, builtin: search_documents, root: [a]}\n", 6, 53, "`root` must be text, found a list"),
            ("  - {name: calc, builtin: calculator, root: docs}\n", 6, 39, "`root` applies only to the built-ins `search_documents` and `read_document`; remove it"),
        ]
        for (tools, line, column, message) in cases {
            let (workflow, diagnostics) = load(tools)
            XCTAssertNil(workflow, tools)
            XCTAssertEqual(diagnostics.first.map { "\($0.line):\($0.column): \($0.message)" }, "\(line):\(column): \(message)", tools)
        }
        let misspelt = load("  - {name: search, builtin: search_document, root: docs}\n").1
        XCTAssertTrue(misspelt.contains { "\($0.line):\($0.column): \($0.message)" == "6:29: `search_document` is not a built-in tool"
                                          && $0.hint == "did you mean `search_documents`?" }, "\(misspelt)")
    }
}
