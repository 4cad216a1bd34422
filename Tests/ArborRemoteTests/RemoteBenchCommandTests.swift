import ArborSchema
import Foundation
import XCTest

/// `arbor bench remote` run small against a real llama-server with four slots: the report's
/// shape and sanity (every run completed, figures positive), not its speed.
final class RemoteBenchCommandTests: XCTestCase {
    func testBenchRemoteReportsEachJobsValueAndEachToolCallCount() throws {
        let server = try LlamaServerProcess(slots: 4, contextSize: 4 * 2048)
        let run = try RemoteCommandTests.arbor(["bench", "remote", "--backend", server.url, "--jobs", "1,2", "--runs-per-job", "1",
                                                "--tools", "0,2", "--min-tasks", "2", "--max-tokens", "128", "--json"])
        XCTAssertEqual(run.status, 0, run.errors)
        let report = try XCTUnwrap(try JSONValue(parsing: run.output).objectValue, run.output)
        let jobs = try XCTUnwrap(report["jobs"]?.arrayValue).compactMap(\.objectValue)
        XCTAssertEqual(jobs.map { $0["jobs"] }, [.integer(1), .integer(2)])
        XCTAssertEqual(jobs.map { $0["runs"] }, [.integer(1), .integer(2)])
        for row in jobs {
            XCTAssertEqual(row["completed"], row["runs"])
            XCTAssertGreaterThan(row["runs_per_second"]?.doubleValue ?? 0, 0, "\(row)")
            XCTAssertGreaterThan(row["tokens_per_second"]?.doubleValue ?? 0, 0, "\(row)")
            XCTAssertGreaterThanOrEqual(row["requests"]?.doubleValue ?? 0, row["runs"]?.doubleValue ?? 1, "a request per segment at least")
        }
        let tools = try XCTUnwrap(report["tool_calls"]?.arrayValue).compactMap(\.objectValue)
        XCTAssertEqual(tools.map { $0["tool_calls"] }, [.integer(0), .integer(2)])
        XCTAssertNil(tools[0]["seconds_per_tool_call"], "no cost per call without calls")
        XCTAssertNotNil(tools[1]["seconds_per_tool_call"]?.doubleValue)
        for row in tools { XCTAssertGreaterThan(row["tree_tokens"]?.doubleValue ?? 0, 0) }
        XCTAssertNotNil(report["load_average"]?.stringValue)
    }
}
