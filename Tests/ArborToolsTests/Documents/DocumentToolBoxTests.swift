@testable import ArborTools
import ArborSchema
import ArborSpec
import Foundation
import XCTest

/// The document built-ins as a workflow declares them: one shared index per root, called
/// through a ``ToolBox`` with its argument validation.
final class DocumentToolBoxTests: XCTestCase {
    func testSearchThenReadThroughAToolBoxSharingOneIndex() async throws {
        let corpus = try DocumentCorpusFixture()
        defer { corpus.remove() }
        let yaml = """
            arbor: 1
            name: docs
            instructions: x
            output: str
            tools:
              - {name: find, builtin: search_documents, root: "\(corpus.root)"}
              - {name: open, builtin: read_document, root: "\(corpus.root)/../corpus"}
            """
        let (loaded, diagnostics) = WorkflowLoader.load(text: yaml)
        let workflow = try XCTUnwrap(loaded, "\(diagnostics)")
        let box = try await ToolBox(workflow: workflow, environment: ["ARBOR_CACHE_DIR": corpus.cache])
        let tools = await box.tools.compactMap { $0 as? DocumentTool }
        XCTAssertEqual(tools.count, 2)
        XCTAssertTrue(tools[0].index === tools[1].index, "one index per resolved root")
        XCTAssertEqual(tools[0].index.indexPath?.hasPrefix(corpus.cache + "/documents/"), true)

        let found = await box.call("find", arguments: ["query": "green tea"])
        let first = try XCTUnwrap(found.value?["results"]?.arrayValue?.first, "\(found.result)")
        XCTAssertEqual(first["path"], "tea/green.md")
        XCTAssertEqual(first["title"], "Green tea")
        let id = try XCTUnwrap(first["id"]?.stringValue)

        let read = await box.call("open", arguments: ["id": .string(id)])
        XCTAssertEqual(read.value?["id"], .string(id))
        XCTAssertEqual(read.value?["next_offset"], .null)
        XCTAssertTrue(read.value?["text"]?.stringValue?.contains("steamed or pan-fired") ?? false, "\(read.result)")

        let none = await box.call("find", arguments: ["query": "zeppelin"])
        XCTAssertEqual(none.value?["results"], [])
        let badID = await box.call("open", arguments: ["id": "../secret"])
        XCTAssertTrue(badID.error?.description.hasPrefix("The arguments of tool 'open' are invalid: /id") ?? false, "\(badID.result)")
        await box.shutdown()
    }

    func testAMissingRootFailsWhenTheToolsAreBuiltNamingTheTool() async throws {
        let (loaded, _) = WorkflowLoader.load(text: "arbor: 1\nname: d\ninstructions: x\noutput: str\ntools:\n  - {name: find, builtin: search_documents, root: /no/such/folder}\n")
        let workflow = try XCTUnwrap(loaded)
        do {
            _ = try await ToolBox(workflow: workflow, environment: [:])
            XCTFail("a missing root was accepted")
        } catch {
            XCTAssertEqual("\(error)", "Tool 'find' failed: the document folder /no/such/folder does not exist (a relative root is taken from \(FileManager.default.currentDirectoryPath))")
        }
    }
}
