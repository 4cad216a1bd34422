import ArborSchema
import ArborStore
import ArborStoreTestSupport
import Foundation
import XCTest

final class RunDetailsReportTests: XCTestCase {
    private func loadFixture() throws -> RunDetails {
        let store = try RunStore()
        try InspectedRunFixture.populate(store)
        return try store.loadRun(id: InspectedRunFixture.id)
    }

    func testTextShowsHeaderTreeToolCallsRoundsTokensAndSnapshots() throws {
        let text = RunDetailsReport.text(try loadFixture(), now: InspectedRunFixture.now)
        let spec = String(repeating: "ab", count: 32)
        let model = String(repeating: "cd", count: 32)
        XCTAssertEqual(text, """
            run r-insp01 · triage · paused
              created   2026-11-18 11:06:40 UTC (3 min ago)
              updated   2026-11-18 11:08:40 UTC (1 min ago)
              progress  40 tokens · 2 tool calls · 2 rounds
              spec      sha256 \(spec)
              model     /models/m.gguf (sha256 \(model))
              inputs    {"ticket":"disk full on /var","priority":2}
              sampling  {"temperature":0,"seed":7}

            tree (4 tasks: 1 open, 1 closed, 2 pruned)
              0  [closed]  round 0  Find what fills the disk
                 → The logs in /var/log fill it
                0.0  [pruned]  round 0  Check the largest directories
                     → /var/log holds 38 GB
                0.1  [pruned]  round 0  Look for rotation settings
                     → logrotate is off
              1  [open]  round 1  Write the answer

            tool calls (2)
              #0  disk_usage  task 0.0  succeeded  250 ms
                  arguments  {"path":"/var"}
                  result     {"log":38.2,"cache":1.5}
              #1  read_file  task 0.1  failed  1.5 s
                  arguments  {"path":"/etc/logrotate.conf"}
                  error      permission denied

            rounds (2)
              #0  prompt 10 · generated 26 · peak kept 36
                  summary  The disk is full of logs because logrotate is off.
              #1  prompt 0 · generated 4 · peak kept 28  in progress

            tokens  40 logged: 12 pruned (30.0 %), 28 kept
              prompt 10 · generated 20 · forced 6 · tool result 4

            kv rows 28 tokens kept, 27.3 KiB (a resume copies them back)

            """)
    }

    func testTextOfAFreshRunSaysEachSectionIsEmpty() throws {
        let store = try RunStore()
        try store.createRun(sampleRun(id: "r-fresh1", createdAt: InspectedRunFixture.base))
        let text = RunDetailsReport.text(try store.loadRun(id: "r-fresh1"), now: InspectedRunFixture.now)
        XCTAssertTrue(text.hasPrefix("run r-fresh1 · triage · running\n"), text)
        for line in ["tree: no tasks recorded", "tool calls: none", "rounds: none", "tokens: none logged", "kv rows: none kept (a resume recomputes the context)"] {
            XCTAssertTrue(text.contains("\n\(line)\n"), "missing \(line) in\n\(text)")
        }
        XCTAssertFalse(text.contains("output"), "a running run has no output line")
    }

    func testTextShowsAMultiLineOutputIndentedAndAnErrorAndAFork() throws {
        let store = try RunStore()
        try store.createRun(sampleRun(id: "r-done01", createdAt: InspectedRunFixture.base))
        try store.finishRun("r-done01", outputJSON: "{\n  \"answer\": 4\n}")
        var forked = sampleRun(id: "r-fail01", createdAt: InspectedRunFixture.base)
        forked.forkedFromRunID = "r-done01"
        forked.forkedAtPath = NodePath([0, 2])
        try store.createRun(forked)
        try store.failRun("r-fail01", error: "the model file changed")

        let done = RunDetailsReport.text(try store.loadRun(id: "r-done01"), now: InspectedRunFixture.now)
        XCTAssertTrue(done.contains("""
              output    {
                          "answer": 4
                        }

            """), done)
        let failed = RunDetailsReport.text(try store.loadRun(id: "r-fail01"), now: InspectedRunFixture.now)
        XCTAssertTrue(failed.contains("\n  forked    from r-done01 at task 0.2\n"), failed)
        XCTAssertTrue(failed.contains("\n  error     the model file changed\n"), failed)
    }

    func testTextCutsLongFieldsToOneLine() throws {
        let store = try RunStore()
        try store.createRun(sampleRun(id: "r-long01"))
        let thought = String(repeating: "word ", count: 100)
        try store.upsertNode(TreeNode(runID: "r-long01", path: NodePath([0]), round: 0, thought: thought, state: .open))
        let text = RunDetailsReport.text(try store.loadRun(id: "r-long01"), now: Date())
        let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("  0  [open]") })
        XCTAssertEqual(line.count, "  0  [open]  ".count + 160)
        XCTAssertTrue(line.hasSuffix("…"))
    }

    func testJSONHoldsEverythingWithStoredJSONEmbedded() throws {
        let json = RunDetailsReport.json(try loadFixture())
        XCTAssertTrue(json.contains(#""inputs": {"ticket":"disk full on /var","priority":2},"#), json)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(object["id"] as? String, "r-insp01")
        XCTAssertEqual(object["status"] as? String, "paused")
        XCTAssertEqual(object["specText"] as? String, "name: triage\n")
        XCTAssertEqual((object["inputs"] as? [String: Any])?["priority"] as? Int, 2)
        XCTAssertEqual((object["sampling"] as? [String: Any])?["seed"] as? Int, 7)
        XCTAssertTrue(object["output"] is NSNull)
        XCTAssertTrue(object["forkedFrom"] is NSNull)
        XCTAssertEqual(object["progress"] as? [String: Int], ["tokens": 40, "toolCalls": 2, "rounds": 2])

        let tree = try XCTUnwrap(object["tree"] as? [[String: Any]])
        XCTAssertEqual(tree.map { $0["path"] as? String }, ["0", "0.0", "0.1", "1"])
        XCTAssertEqual(tree[2]["parentPath"] as? String, "0")
        XCTAssertEqual(tree[2]["thought"] as? String, "Look for\nrotation   settings", "JSON keeps the text in full")
        XCTAssertEqual(tree[2]["state"] as? String, "pruned")
        XCTAssertTrue(tree[3]["conclusion"] is NSNull)
        XCTAssertTrue(tree[3]["endTokenSeq"] is NSNull)

        let calls = try XCTUnwrap(object["toolCalls"] as? [[String: Any]])
        XCTAssertEqual(calls.map { $0["tool"] as? String }, ["disk_usage", "read_file"])
        XCTAssertEqual((calls[0]["result"] as? [String: Any])?["log"] as? Double, 38.2)
        XCTAssertEqual((calls[0]["arguments"] as? [String: Any])?["path"] as? String, "/var")
        XCTAssertEqual(calls[0]["durationMs"] as? Int, 250)
        XCTAssertEqual(calls[0]["tokenSeq"] as? Int, 30)
        XCTAssertEqual(calls[1]["error"] as? String, "permission denied")
        XCTAssertTrue(calls[1]["result"] is NSNull)

        let rounds = try XCTUnwrap(object["rounds"] as? [[String: Any]])
        XCTAssertEqual(rounds[0]["summary"] as? String, "The disk is full of logs because logrotate is off.")
        XCTAssertEqual(rounds[0]["peakKeptTokens"] as? Int, 36)
        XCTAssertTrue(rounds[1]["finishedAt"] is NSNull)

        let tokens = try XCTUnwrap(object["tokens"] as? [String: Any])
        XCTAssertEqual(tokens["total"] as? Int, 40)
        XCTAssertEqual(tokens["pruned"] as? Int, 12)
        XCTAssertEqual(tokens["kept"] as? Int, 28)
        XCTAssertEqual(tokens["prunedShare"] as? Double, 0.3)
        XCTAssertEqual(tokens["byKind"] as? [String: Int], ["prompt": 10, "generated": 20, "forced": 6, "toolResult": 4])

        XCTAssertEqual(object["kvRows"] as? [String: Int], ["rows": 28, "bytes": 28_000])
    }
}
