import ArborSchema
import ArborStore
import ArborStoreTestSupport
import Foundation
import GRDB
import XCTest

final class RunEventTests: XCTestCase {
    /// The store writes the lifecycle's events itself, numbered per run from 1 without gaps,
    /// each in the transaction of the change it describes.
    func testLifecycleEventsAreNumberedPerRunWithoutGaps() throws {
        try forEachStore(self) { store in
            try store.createRun(sampleRun(id: "r-a"))
            try store.createRun(sampleRun(id: "r-b"))
            try store.recordToolCallStarted(runID: "r-a", seq: 0, toolName: "calc", argumentsJSON: #"{"x":1}"#, nodePath: NodePath([0]))
            try store.recordToolCallFinished(runID: "r-a", seq: 0, outcome: .succeeded(resultJSON: "2"))
            try store.saveRound(Round(runID: "r-a", number: 0, summary: "* one", promptTokens: 4, finishedAt: Date()))
            try store.updateRunStatus("r-a", to: .paused)
            try store.updateRunStatus("r-a", to: .running)
            try store.finishRun("r-a", outputJSON: #"{"answer":2}"#)
            try store.failRun("r-b", error: "model missing")

            let events = try store.events(runID: "r-a")
            XCTAssertEqual(events.map(\.kind), [.created, .toolStarted, .toolFinished, .roundEnded, .paused, .resumed, .finished])
            XCTAssertEqual(events.map(\.seq), Array(1...7))
            XCTAssertEqual(try store.events(runID: "r-b").map(\.kind), [.created, .failed])
            XCTAssertEqual(try store.events(runID: "r-b").map(\.seq), [1, 2], "each run counts its own")
            let finished = try JSONSerialization.jsonObject(with: Data(events[2].payloadJSON.utf8)) as! [String: Any]
            XCTAssertEqual(finished["tool"] as? String, "calc")
            XCTAssertEqual(finished["result"] as? Int, 2)
            XCTAssertEqual(finished["path"] as? String, "0")
            XCTAssertNotNil(finished["seconds"] as? Double)
            XCTAssertEqual(try store.events(runID: "r-a", after: 5).map(\.seq), [6, 7])
            XCTAssertEqual(try store.events(runID: "r-a", after: 1, limit: 2).map(\.seq), [2, 3])
            XCTAssertEqual(try store.lastEventSeq(runID: "r-a"), 7)
            XCTAssertEqual(try store.lastEventSeq(runID: "r-none"), 0)
        }
    }

    /// A snapshot names the last event it includes: the events after it are exactly what it lacks.
    func testSnapshotCarriesTheSeqOfItsLastEvent() throws {
        try forEachStore(self) { store in
            try store.createRun(sampleRun(id: "r-snap"))
            let before = try store.snapshot(runID: "r-snap")
            XCTAssertEqual(before.seq, 1)
            XCTAssertEqual(before.details.run.status, .running)
            try store.finishRun("r-snap", outputJSON: "{}")
            XCTAssertEqual(try store.events(runID: "r-snap", after: before.seq).map(\.kind), [.finished])
            let json = try JSONSerialization.jsonObject(with: Data(try store.snapshot(runID: "r-snap").json.utf8)) as! [String: Any]
            XCTAssertEqual(json["seq"] as? Int, 2)
            XCTAssertEqual((json["run"] as? [String: Any])?["status"] as? String, "completed")
            XCTAssertThrowsStoreError(try store.snapshot(runID: "r-missing"), .runNotFound(runID: "r-missing"))
        }
    }

    /// Deleting a run deletes its events; a payload that is not JSON is refused by the schema.
    func testEventsGoWithTheirRunAndMustBeJSON() throws {
        try forEachStore(self) { store in
            try store.createRun(sampleRun(id: "r-gone"))
            try store.deleteRun("r-gone")
            XCTAssertEqual(try store.events(runID: "r-gone"), [])
            try store.createRun(sampleRun(id: "r-json"))
            XCTAssertThrowsError(try store.checkpoint { tx in
                try tx.db.execute(sql: "INSERT INTO runEvent (runID, seq, kind, payloadJSON, createdAt) VALUES ('r-json', 9, 'text', '{oops', 0)")
            })
        }
    }

    /// `data_version` moves when another connection (here the store's writer) commits, and
    /// only then.
    func testCommitWatcherSeesOtherConnectionsCommits() throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("watched.sqlite").path
        let store = try RunStore(path: path)
        let watcher = try CommitWatcher(path: path)
        XCTAssertTrue(try watcher.changed(), "the first look counts as a change")
        XCTAssertFalse(try watcher.changed())
        try store.createRun(sampleRun(id: "r-watched"))
        XCTAssertTrue(try watcher.changed())
        XCTAssertFalse(try watcher.changed())
        _ = try store.events(runID: "r-watched")
        XCTAssertFalse(try watcher.changed(), "reads are not commits")
    }
}
