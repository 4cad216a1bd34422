import ArborStore
import ArborWeb
import Foundation
import XCTest

/// The page's actions on a real server and a real SQLite file: what each answers when the run,
/// the workflow or the inputs are wrong, the stop request committed to the store, the token.
/// (Runs really started, stopped and resumed by `arbor` processes: ServeCommandTests, ServePageTests.)
final class RunActionsTests: XCTestCase {
    /// A workflow with a required string, a bounded integer with a default and an enum.
    private func workflowFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-flows-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        try """
            arbor: 1
            name: counter
            description: Counts things.
            inputs:
              thing: {type: str, description: What to count.}
              times: {type: "int[0,10]", default: 3}
              mood: {type: 'Literal["calm", "busy"]', default: calm}
            instructions: Count {{thing}} {{times}} times, {{mood}}.
            output:
              count: int
            """.write(to: folder.appendingPathComponent("counter.yaml"), atomically: true, encoding: .utf8)
        try "name: broken\ninputs: [\n".write(to: folder.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        try "not: a workflow".write(to: folder.appendingPathComponent("counter.test.yaml"), atomically: true, encoding: .utf8)
        return folder.path
    }

    func testWorkflowsListTheirInputsWithSchemasAndDefaultsAndSayWhichFileDoesNotLoad() throws {
        let served = try ServedDatabase(self, workflows: [try workflowFolder()])
        let answer = try served.get("/api/workflows")
        XCTAssertEqual(answer.status, 200)
        let workflows = try XCTUnwrap(answer.json?["workflows"] as? [[String: Any]], answer.body)
        XCTAssertEqual(workflows.map { $0["name"] as? String }, ["counter"], "the test file is no workflow; the broken one does not load")
        let inputs = try XCTUnwrap(workflows.first?["inputs"] as? [[String: Any]])
        XCTAssertEqual(inputs.map { $0["name"] as? String }, ["thing", "times", "mood"])
        XCTAssertEqual(inputs.map { $0["required"] as? Bool }, [true, false, false])
        XCTAssertEqual(inputs[1]["default"] as? Int, 3)
        XCTAssertEqual((inputs[1]["schema"] as? [String: Any])?["maximum"] as? Int, 10)
        XCTAssertEqual((inputs[2]["schema"] as? [String: Any])?["enum"] as? [String], ["calm", "busy"])
        let problems = answer.json?["problems"] as? [String] ?? []
        XCTAssertEqual(problems.count, 1)
        XCTAssertTrue(problems.first?.contains("broken.yaml:") == true, "\(problems)")
    }

    func testBadInputsAre400WithTheJSONPointerOfTheValue() throws {
        let served = try ServedDatabase(self, workflows: [try workflowFolder()])
        let cases: [(body: String, pointer: String, says: String)] = [
            (#"{"workflow": "counter", "inputs": {"thing": "sheep", "times": 42}}"#, "/inputs/times", "42"),
            (#"{"workflow": "counter", "inputs": {"thing": "sheep", "mood": "sleepy"}}"#, "/inputs/mood", "mood"),
            (#"{"workflow": "counter", "inputs": {"times": 2}}"#, "/inputs/thing", "required"),
            (#"{"workflow": "counter", "inputs": {"thing": "sheep", "colour": "red"}}"#, "/inputs/colour", "not an input"),
            (#"{"workflow": "counter", "inputs": [1]}"#, "/inputs", "object"),
            (#"{"inputs": {}}"#, "/workflow", "workflow"),
            (#"{"workflow": "counter", "#, "", "not JSON"),
            (#"[1, 2]"#, "", "object"),
        ]
        for (body, pointer, says) in cases {
            let answer = try served.post("/api/runs", body)
            XCTAssertEqual(answer.status, 400, body)
            XCTAssertEqual(answer.json?["pointer"] as? String, pointer, answer.body)
            XCTAssertTrue((answer.json?["error"] as? String)?.contains(says) == true, answer.body)
        }
        let unknown = try served.post("/api/runs", #"{"workflow": "countr", "inputs": {}}"#)
        XCTAssertEqual(unknown.status, 404)
        XCTAssertTrue((unknown.json?["error"] as? String)?.contains("`counter`") == true, "names the workflows offered: \(unknown.body)")
        // valid inputs, but this server was not given an executable to start runs with
        let cannot = try served.post("/api/runs", #"{"workflow": "counter", "inputs": {"thing": "sheep"}}"#)
        XCTAssertEqual(cannot.status, 503, cannot.body)
    }

    func testStopIsARequestCommittedToTheStoreAndRunsInTheWrongStateAre409() throws {
        let served = try ServedDatabase(self) { path in
            let store = try RunStore(path: path)
            try store.createRun(sampleRun(id: "r-live"))
            try store.createRun(sampleRun(id: "r-done"))
            try store.finishRun("r-done", outputJSON: "{}")
        }
        let store = try RunStore(path: served.path)
        let stop = try served.post("/api/runs/r-live/stop")
        XCTAssertEqual(stop.status, 202, stop.body)
        XCTAssertTrue(try store.checkpoint { try $0.isStopRequested(runID: "r-live") }, "what the run's writer reads at its next commit")
        XCTAssertEqual(try served.post("/api/runs/r-live/resume").status, 409, "a running run is not resumed twice")
        // the writer stops: the new status answers the request
        try store.updateRunStatus("r-live", to: .paused)
        XCTAssertFalse(try store.checkpoint { try $0.isStopRequested(runID: "r-live") })
        let again = try served.post("/api/runs/r-live/stop")
        XCTAssertEqual(again.status, 409)
        XCTAssertTrue((again.json?["error"] as? String)?.contains("paused") == true, again.body)

        XCTAssertEqual(try served.post("/api/runs/r-done/stop").status, 409)
        let resumeDone = try served.post("/api/runs/r-done/resume")
        XCTAssertEqual(resumeDone.status, 409)
        XCTAssertTrue((resumeDone.json?["error"] as? String)?.contains("completed") == true, resumeDone.body)
        for action in ["stop", "resume", "fork"] {
            let missing = try served.post("/api/runs/r-nope/\(action)", #"{"at": "0"}"#)
            XCTAssertEqual(missing.status, 404, action)
            XCTAssertTrue((missing.json?["error"] as? String)?.contains("r-nope") == true, missing.body)
        }
        let noTask = try served.post("/api/runs/r-done/fork", #"{"at": "0.2"}"#)
        XCTAssertEqual(noTask.status, 400)
        XCTAssertEqual(noTask.json?["pointer"] as? String, "/at")
        XCTAssertEqual(try served.post("/api/runs/r-done/fork", #"{"at": "first"}"#).json?["pointer"] as? String, "/at")
        XCTAssertEqual(try served.post("/api/runs/r-done/fork", #"{"at": "0", "round": -1}"#).json?["pointer"] as? String, "/round")
    }

    func testActionsFromAnotherSiteAre403AndOnANonLoopbackBindNeedTheToken() throws {
        let local = try ServedDatabase(self) { path in try RunStore(path: path).createRun(sampleRun(id: "r-x")) }
        let foreign = try local.post("/api/runs/r-x/stop", headers: ["Origin": "http://evil.example"])
        XCTAssertEqual(foreign.status, 403, foreign.body)
        XCTAssertEqual(try local.post("/api/runs/r-x/stop", headers: ["Origin": "http://127.0.0.1:\(local.port)"]).status, 202)

        let guarded = try ServedDatabase(self, host: "0.0.0.0", token: "s3cret") { path in try RunStore(path: path).createRun(sampleRun(id: "r-g")) }
        for path in ["/api/runs", "/api/runs/r-g/stop", "/api/runs/r-g/resume", "/api/runs/r-g/fork"] {
            XCTAssertEqual(try guarded.post(path, "{}").status, 401, path)
        }
        XCTAssertEqual(try guarded.post("/api/runs/r-g/stop", headers: ["Authorization": "Bearer s3cret"]).status, 202)
    }
}
