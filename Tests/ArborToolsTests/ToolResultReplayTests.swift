import ArborSchema
import ArborTools
import XCTest

final class ToolResultReplayTests: XCTestCase {
    /// Live tools that answer every call with how many calls they had so far.
    private actor CountingTools: ToolInvoking {
        private(set) var calls: [String] = []

        func parameterSchemas() async -> [(name: String, schema: JSONValue)] {
            [("today", ["type": "object"]), ("search", ["type": "object"])]
        }

        func invoke(_ name: String, arguments: JSONValue) async -> ToolOutcome {
            calls.append(name)
            return ToolOutcome(tool: name, arguments: arguments, result: .success(.integer(Int64(calls.count))), duration: .zero)
        }
    }

    private static let recorded = [
        ToolOutcome(tool: "today", arguments: [:], result: .success(["datetime": "2026-01-01T10:00:00Z"]), duration: .milliseconds(3)),
        ToolOutcome(tool: "search", arguments: ["query": "transistor"], result: .failure(.recorded(tool: "search", message: "offline")),
                    duration: .milliseconds(5)),
    ]

    func testTheSameCallsGetTheRecordedOutcomesWithoutCallingTheLiveTools() async {
        let live = CountingTools()
        let replay = ToolResultReplay(outcomes: Self.recorded, live: live)
        let first = await replay.invoke("today", arguments: [:])
        let second = await replay.invoke("search", arguments: ["query": "transistor"])
        XCTAssertEqual([first, second], Self.recorded)
        let replayed = await replay.replayedCount
        XCTAssertEqual(replayed, 2)
        let liveCalls = await live.calls
        XCTAssertEqual(liveCalls, [])
        // past the record, the live tools answer
        let third = await replay.invoke("today", arguments: [:])
        XCTAssertEqual(third.value, .integer(1))
    }

    func testACallThatDiffersEndsTheReplay() async {
        let live = CountingTools()
        let replay = ToolResultReplay(outcomes: Self.recorded, live: live)
        let differing = await replay.invoke("search", arguments: ["query": "vacuum tube"])
        XCTAssertEqual(differing.value, .integer(1), "a call the record does not have next goes to the live tools")
        // the runs have parted: the record's later outcomes answered other calls
        let afterwards = await replay.invoke("today", arguments: [:])
        XCTAssertEqual(afterwards.value, .integer(2))
        let replayed = await replay.replayedCount
        XCTAssertEqual(replayed, 0)
        let schemas = await replay.parameterSchemas().map(\.name)
        XCTAssertEqual(schemas, ["today", "search"], "the live tools' schemas shape the grammar")
    }
}
