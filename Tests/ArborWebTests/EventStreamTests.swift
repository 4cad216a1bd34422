import ArborStore
import ArborWeb
import Foundation
import XCTest

/// `GET /api/runs/{id}/events`: Server-Sent Events with `id:` = seq, resumable, live.
final class EventStreamTests: XCTestCase {
    /// A client that stays connected gets events committed by another connection (as another
    /// process would write them) without asking again.
    func testCommitsByAnotherConnectionArriveOnAnOpenStream() throws {
        let served = try ServedDatabase(self) { path in
            try RunStore(path: path).createRun(sampleRun(id: "r-live"))
        }
        let client = try RawHTTPClient(port: served.port, path: "/api/runs/r-live/events")
        let first = try client.read { eventIDs(in: $0) == [1] }
        XCTAssertEqual(client.status, 200)
        XCTAssertEqual(client.headers["content-type"], "text/event-stream")
        XCTAssertTrue(first.contains("retry: 1000"))
        XCTAssertTrue(first.contains(#""kind":"created""#))

        let writer = try RunStore(path: served.path)  // its own connections, like `arbor run`
        try appendTextEvents(writer, runID: "r-live", count: 3)
        try writer.finishRun("r-live", outputJSON: "{}")
        let text = try client.read { eventIDs(in: $0).last == 5 }
        XCTAssertEqual(eventIDs(in: text), [1, 2, 3, 4, 5])
        let data = text.split(separator: "\n").filter { $0.hasPrefix("data: ") }.map { $0.dropFirst(6) }
        XCTAssertEqual(data.count, 5, "one data line per event: line breaks in the payload are escaped")
        let last = try JSONSerialization.jsonObject(with: Data(data[4].utf8)) as? [String: Any]
        XCTAssertEqual(last?["kind"] as? String, "finished")
        XCTAssertEqual(last?["seq"] as? Int, 5)
        let second = try JSONSerialization.jsonObject(with: Data(data[1].utf8)) as? [String: Any]
        XCTAssertEqual((second?["data"] as? [String: Any])?["text"] as? String, "t0 \"é\"\n")
    }

    /// 1,000 reconnections, each resuming after a random `Last-Event-ID` while a writer keeps
    /// appending: every stream carries exactly the events after the one named, in order —
    /// none lost, none twice.
    func testAThousandReconnectsWithRandomLastEventIDLoseAndRepeatNothing() throws {
        let served = try ServedDatabase(self) { path in
            let store = try RunStore(path: path)
            try store.createRun(sampleRun(id: "r-resume"))
            try appendTextEvents(store, runID: "r-resume", count: 199)
        }
        let writer = try RunStore(path: served.path)
        let writing = DispatchGroup()
        DispatchQueue.global().async(group: writing) {
            for _ in 0..<100 {
                do {
                    try appendTextEvents(writer, runID: "r-resume", count: 2)
                } catch {
                    XCTFail("the writer failed: \(error)")
                }
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        for attempt in 0..<1000 {
            let newest = try writer.lastEventSeq(runID: "r-resume")
            let resumeAfter = Int.random(in: 0...newest, using: &generator)
            // half the clients send the header, half the query parameter the page uses
            let useHeader = attempt % 2 == 0
            let client = try RawHTTPClient(port: served.port,
                                           path: "/api/runs/r-resume/events" + (useHeader ? "" : "?after=\(resumeAfter)"),
                                           headers: useHeader ? ["Last-Event-ID": "\(resumeAfter)"] : [:])
            let text = try client.read { body in body.hasSuffix("\n\n") && (eventIDs(in: body).last ?? resumeAfter) >= newest }
            let ids = eventIDs(in: text)
            let end = max(ids.last ?? resumeAfter, resumeAfter)
            XCTAssertGreaterThanOrEqual(end, newest, "attempt \(attempt)")
            XCTAssertEqual(ids, resumeAfter < end ? Array((resumeAfter + 1)...end) : [],
                           "attempt \(attempt) after \(resumeAfter): exactly the events after it, in order, once")
            checked += ids.count
        }
        writing.wait()
        XCTAssertEqual(try writer.lastEventSeq(runID: "r-resume"), 400)
        XCTAssertGreaterThan(checked, 1000)
    }
}
