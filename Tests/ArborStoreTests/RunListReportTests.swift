import ArborStore
import ArborStoreTestSupport
import Foundation
import XCTest

final class RunListReportTests: XCTestCase {
    /// Three runs: the fixture (started at `base`), one 10 min later, one an hour later.
    private func makeStore() throws -> RunStore {
        let store = try RunStore()
        try InspectedRunFixture.populate(store)
        let base = InspectedRunFixture.base
        try store.createRun(sampleRun(id: "r-mid001", workflow: "qa", createdAt: base.addingTimeInterval(600)))
        try store.createRun(sampleRun(id: "r-new002", workflow: "summarize-long-report", createdAt: base.addingTimeInterval(3_600)))
        return store
    }

    private let now = InspectedRunFixture.base.addingTimeInterval(3_720)

    func testTableListsRunsNewestFirstWithProgressAndAge() throws {
        let store = try makeStore()
        XCTAssertEqual(RunListReport.text(try store.listRuns(), total: try store.runCount(), now: now), """
            ID        WORKFLOW               STATUS   TOKENS  TOOL CALLS  ROUNDS  AGE
            r-new002  summarize-long-report  running       0           0       0  2 min ago
            r-mid001  qa                     running       0           0       0  52 min ago
            r-insp01  triage                 paused       40           2       2  1 h ago

            """)
    }

    func testALimitedTableSaysHowManyRunsItLeftOut() throws {
        let store = try makeStore()
        let text = RunListReport.text(try store.listRuns(limit: 1), total: try store.runCount(), now: now)
        XCTAssertEqual(text.split(separator: "\n").map(String.init), [
            "ID        WORKFLOW               STATUS   TOKENS  TOOL CALLS  ROUNDS  AGE",
            "r-new002  summarize-long-report  running       0           0       0  2 min ago",
            "(1 of 3 runs shown; --limit 0 shows all)",
        ])
    }

    func testAnEmptyDatabaseSaysHowToRecordARun() {
        XCTAssertEqual(
            RunListReport.text([], total: 0, databasePath: "/d/arbor.sqlite", now: now),
            "No runs in /d/arbor.sqlite yet; `arbor run SPEC.yaml` records one.\n")
        XCTAssertEqual(RunListReport.json([]), "[]\n")
    }

    func testJSONIsAnArrayNewestFirstWithCountsAndISOTimestamps() throws {
        let store = try makeStore()
        let json = RunListReport.json(try store.listRuns())
        let runs = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        XCTAssertEqual(runs.map { $0["id"] as? String }, ["r-new002", "r-mid001", "r-insp01"])
        let fixture = runs[2]
        XCTAssertEqual(fixture["workflow"] as? String, "triage")
        XCTAssertEqual(fixture["status"] as? String, "paused")
        XCTAssertEqual(fixture["tokens"] as? Int, 40)
        XCTAssertEqual(fixture["toolCalls"] as? Int, 2)
        XCTAssertEqual(fixture["rounds"] as? Int, 2)
        XCTAssertEqual(fixture["createdAt"] as? String, "2026-11-18T11:06:40.000Z")
        XCTAssertEqual(fixture["updatedAt"] as? String, "2026-11-18T11:08:40.000Z")
    }
}
