@testable import ArborTools
import ArborSchema
import ArborSpec
import Foundation
import XCTest

/// The workflows under Workflows/ build their tool boxes, or fail with a message that says
/// what to set, without reaching the network.
final class ShippedWorkflowToolTests: XCTestCase {
    private func workflow(_ name: String) throws -> Workflow {
        let root = Fixtures.folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try WorkflowLoader.loadValid(path: root.appendingPathComponent("Workflows/\(name).yaml").path)
    }

    func testOfflineWorkflowsBuildEveryTool() async throws {
        for name in ["math-solver", "extract-invoice", "long-report", "triage-issue"] {
            let spec = try workflow(name)
            let box = try await ToolBox(workflow: spec, environment: [:])
            let names = await box.toolNames
            XCTAssertEqual(names, spec.tools.map(\.name), name)
            for tool in await box.tools {
                XCTAssertFalse(tool.description.isEmpty, "\(name): \(tool.name) has no description")
            }
            await box.shutdown()
        }
    }

    func testLongReportBuiltinsAnswer() async throws {
        let box = try await ToolBox(workflow: try workflow("long-report"), environment: [:])
        let days = await box.call("days_between", arguments: ["start": "2024-01-01", "end": "2024-12-31"])
        XCTAssertEqual(days.value, ["days": 365])
        let words = await box.call("word_count", arguments: ["text": "three short words"])
        XCTAssertEqual(words.value?["words"], 3)
        let badDate = await box.call("days_between", arguments: ["start": "2024-02-30", "end": "2024-12-31"])
        XCTAssertTrue(badDate.error?.description.hasPrefix("The arguments of tool 'days_between' are invalid: /start") ?? false,
                      "\(badDate.result)")
    }

    func testTriageSearchNeedsItsTokenBeforeAnyRequest() async throws {
        let box = try await ToolBox(workflow: try workflow("triage-issue"), environment: [:])
        let outcome = await box.call("search_issues", arguments: ["query": "crash", "state": "open"])
        XCTAssertEqual(outcome.error, .missingEnvironmentVariable(tool: "search_issues", variable: "GITHUB_TOKEN",
                                                                  context: "the header Authorization"))
    }

    func testResearchAgentWithoutItsKeyFailsNamingTheVariable() async throws {
        do {
            _ = try await ToolBox(workflow: try workflow("research-agent"), environment: [:])
            XCTFail("the research agent's servers started without BRAVE_API_KEY")
        } catch let error as ToolError {
            XCTAssertTrue(error.description.hasPrefix("MCP server 'web' (npx -y @modelcontextprotocol/server-brave-search) failed: "), error.description)
            XCTAssertTrue(error.description.contains("${BRAVE_API_KEY}, which is not set"), error.description)
        }
    }
}
