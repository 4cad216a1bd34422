import ArborRuntime
import ArborStore
import XCTest

final class StoreRecorderTests: XCTestCase {
    /// Subtasks close before their parent: the recorder stores the parent as open first, and
    /// the parent's own record replaces it when it closes.
    func testASubtaskFinishingBeforeItsParentIsRecorded() throws {
        let store = try RunStore()
        let hash = String(repeating: "0", count: 64)
        try store.createRun(Run(id: "r-nested", workflow: "w", specText: "", specSHA256: hash, inputsJSON: "{}",
                                modelPath: "m", modelSHA256: hash, samplingJSON: "{}"))
        let recorder = StoreRecorder(store: store, runID: "r-nested")
        try recorder.taskFinished(TaskRecord(path: [0, 1], thought: "inner", conclusion: "done"), round: 0)
        XCTAssertEqual(try store.loadRun(id: "r-nested").nodes.map(\.state), [.open, .closed])
        try recorder.taskFinished(TaskRecord(path: [0], thought: "outer", conclusion: "done"), round: 0)
        let nodes = try store.loadRun(id: "r-nested").nodes
        XCTAssertEqual(nodes.map(\.path), [NodePath([0]), NodePath([0, 1])])
        XCTAssertEqual(nodes.map(\.state), [.closed, .closed])
        XCTAssertEqual(nodes.map(\.thought), ["outer", "inner"])
    }

    /// Every commit and every token is counted, and the parts never add up to more than the whole.
    func testTimingsCountTheCommitsAndTokensTheRecorderHandled() throws {
        let store = try RunStore()
        let hash = String(repeating: "0", count: 64)
        try store.createRun(Run(id: "r-timed", workflow: "w", specText: "", specSHA256: hash, inputsJSON: "{}",
                                modelPath: "m", modelSHA256: hash, samplingJSON: "{}"))
        let recorder = StoreRecorder(store: store, runID: "r-timed")
        recorder.commitInterval = 10
        for seq in 0..<25 { try recorder.appended([Int32(seq)], kind: .generated, firstSeq: seq, taskPath: [0], round: 0) }
        try recorder.taskFinished(TaskRecord(path: [0], thought: "t", conclusion: "c"), round: 0)
        let timings = recorder.timings
        XCTAssertEqual(timings.tokens, 25)
        XCTAssertEqual(timings.commits, 3, "two at the interval, one at the task's end")
        XCTAssertEqual(try store.tokens(runID: "r-timed").count, 25)
        XCTAssertGreaterThan(timings.totalSeconds, 0)
        XCTAssertGreaterThan(timings.statementSeconds, 0)
        XCTAssertLessThanOrEqual(timings.rowCopySeconds + timings.statementSeconds + timings.commitSeconds, timings.totalSeconds)
        XCTAssertEqual(timings.rowBytes, 0, "no model, no rows")
    }
}
