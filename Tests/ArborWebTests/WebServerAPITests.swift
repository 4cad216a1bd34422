import ArborStore
import ArborWeb
import Foundation
import XCTest

/// The JSON API on a real server and a real SQLite file.
final class WebServerAPITests: XCTestCase {
    func testRunsAndASnapshotWithItsSeqAndUnknownRunsAre404JSON() throws {
        let served = try ServedDatabase(self) { path in
            let store = try RunStore(path: path)
            try store.createRun(sampleRun(id: "r-one", workflow: "triage"))
            try store.createRun(sampleRun(id: "r-two", workflow: "research"))
            try store.finishRun("r-one", outputJSON: #"{"answer":42}"#)
        }
        let runs = try served.get("/api/runs")
        XCTAssertEqual(runs.status, 200)
        XCTAssertEqual(runs.headers["content-type"], "application/json; charset=utf-8")
        XCTAssertEqual(Set(runs.jsonArray?.compactMap { $0["id"] as? String } ?? []), ["r-one", "r-two"])

        let snapshot = try served.get("/api/runs/r-one")
        XCTAssertEqual(snapshot.status, 200)
        XCTAssertEqual(snapshot.json?["seq"] as? Int, 2, "created, finished")
        let run = snapshot.json?["run"] as? [String: Any]
        XCTAssertEqual(run?["status"] as? String, "completed")
        XCTAssertEqual((run?["output"] as? [String: Any])?["answer"] as? Int, 42)

        for path in ["/api/runs/r-nope", "/api/runs/r-nope/events"] {
            let missing = try served.get(path)
            XCTAssertEqual(missing.status, 404, path)
            XCTAssertEqual(missing.json?["status"] as? Int, 404)
            XCTAssertTrue((missing.json?["error"] as? String)?.contains("No run r-nope") == true, missing.body)
        }
        let bad = try served.get("/api/runs/r-one/events", headers: ["Last-Event-ID": "yesterday"])
        XCTAssertEqual(bad.status, 400)
        XCTAssertTrue((bad.json?["error"] as? String)?.contains("Last-Event-ID") == true, bad.body)
    }

    func testThePageIsServedFromTheResources() throws {
        let served = try ServedDatabase(self)
        let page = try served.get("/")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.headers["content-type"]?.hasPrefix("text/html") == true)
        XCTAssertTrue(page.body.contains("<title>Arbor runs</title>"))
        let script = try served.get("/app.js")
        XCTAssertEqual(script.headers["content-type"], "text/javascript; charset=utf-8")
        XCTAssertTrue(script.body.contains("EventSource"))
        XCTAssertEqual(try served.get("/style.css").status, 200)
    }

    /// A file that is not a database is a clear error on every API request, the page still
    /// loads, and once the file is fixed the same server serves it without a restart.
    func testADamagedDatabaseIsAClearErrorAndTheServerStaysUp() throws {
        let served = try ServedDatabase(self) { path in
            try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: path))
        }
        for _ in 0..<3 {
            let runs = try served.get("/api/runs")
            XCTAssertEqual(runs.status, 503)
            let message = try XCTUnwrap(runs.json?["error"] as? String, runs.body)
            XCTAssertTrue(message.contains("is not an SQLite database"), message)
            XCTAssertTrue(message.contains(served.path), "names the file: \(message)")
        }
        XCTAssertEqual(try served.get("/api/runs/r-x").status, 503)
        XCTAssertEqual(try served.get("/").status, 200, "the page itself is still served")

        // restored the way a backup is: written beside it, then renamed over the damaged file
        // (the server keeps trying to open the path meanwhile)
        let restored = served.path + ".restored"
        do { try RunStore(path: restored).createRun(sampleRun(id: "r-fixed")) }  // closed here: its log checkpointed
        XCTAssertEqual(rename(restored, served.path), 0)
        let runs = try served.get("/api/runs")
        XCTAssertEqual(runs.status, 200, runs.body)
        XCTAssertEqual(runs.jsonArray?.first?["id"] as? String, "r-fixed")
    }

    /// Bound to all interfaces the server refuses to start without a token, and with one it
    /// answers 401 to any request that lacks it.
    func testANonLoopbackBindNeedsATokenAndRequestsWithoutItAre401() throws {
        XCTAssertThrowsError(try WebServer(configuration: .init(databasePath: "x.sqlite", host: "0.0.0.0"))) { error in
            XCTAssertEqual(error as? WebServerError, .tokenRequired(host: "0.0.0.0"))
            XCTAssertTrue("\(error)".contains("--token"))
        }
        let served = try ServedDatabase(self, host: "0.0.0.0", token: "s3cret") { path in
            try RunStore(path: path).createRun(sampleRun(id: "r-guarded"))
        }
        for path in ["/api/runs", "/api/runs/r-guarded", "/api/runs/r-guarded/events", "/api/runs?token=wrong"] {
            let refused = try served.get(path)
            XCTAssertEqual(refused.status, 401, path)
            XCTAssertTrue((refused.json?["error"] as? String)?.contains("token") == true)
        }
        XCTAssertEqual(try served.get("/api/runs", headers: ["Authorization": "Bearer wrong"]).status, 401)
        XCTAssertEqual(try served.get("/api/runs", headers: ["Authorization": "Bearer s3cret"]).status, 200)
        XCTAssertEqual(try served.get("/api/runs?token=s3cret").status, 200)
        let stream = try RawHTTPClient(port: served.port, path: "/api/runs/r-guarded/events?token=s3cret")
        _ = try stream.read { eventIDs(in: $0) == [1] }
        XCTAssertEqual(stream.status, 200, "an EventSource passes the token in the URL")
        XCTAssertEqual(try served.get("/app.js").status, 200, "the page's files hold no run data")
    }
}
