import ArborRecording
import ArborRuntime
import ArborSchema
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
        try recorder.taskFinished(TaskRecord(path: NodePath([0, 1]), thought: "inner", conclusion: "done"), round: 0)
        XCTAssertEqual(try store.loadRun(id: "r-nested").nodes.map(\.state), [.open, .closed])
        try recorder.taskFinished(TaskRecord(path: NodePath([0]), thought: "outer", conclusion: "done"), round: 0)
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
        recorder.liveInterval = 3600  // only the token count commits here, however slow the machine
        for seq in 0..<25 { try recorder.appended([Int32(seq)], kind: .generated, firstSeq: seq, taskPath: NodePath([0]), round: 0) }
        try recorder.taskFinished(TaskRecord(path: NodePath([0]), thought: "t", conclusion: "c"), round: 0)
        let timings = recorder.timings
        XCTAssertEqual(timings.tokens, 25)
        XCTAssertEqual(timings.commits, 3, "two at the interval, one at the task's end")
        XCTAssertEqual(try store.tokens(runID: "r-timed").count, 25)
        XCTAssertGreaterThan(timings.totalSeconds, 0)
        XCTAssertGreaterThan(timings.statementSeconds, 0)
        XCTAssertLessThanOrEqual(timings.rowCopySeconds + timings.statementSeconds + timings.commitSeconds, timings.totalSeconds)
        XCTAssertEqual(timings.rowBytes, 0, "no model, no rows")
    }

    /// A live view can rebuild the tree from the events alone: tasks open (ancestors first)
    /// before their text, close with their thought and conclusion, pruning and the KV slots in
    /// use come in order, and every commit ends with a checkpoint of the log's length.
    func testEventsFollowTheTreeAsItGrows() throws {
        let store = try RunStore()
        try store.createRun(Self.run("r-events"))
        let recorder = StoreRecorder(store: store, runID: "r-events")
        recorder.liveInterval = 3600
        recorder.tokenBytes = { ids in ids.map { UInt8($0) } }  // token id = one ASCII byte
        try recorder.appended([104, 105], kind: .prompt, firstSeq: 0, taskPath: nil, round: 0)
        try recorder.appended([97, 98], kind: .generated, firstSeq: 2, taskPath: NodePath([0, 1]), round: 0)
        try recorder.appended([99], kind: .forced, firstSeq: 4, taskPath: NodePath([0, 1]), round: 0)
        try recorder.taskFinished(TaskRecord(path: NodePath([0, 1]), thought: "inner", conclusion: "done"), round: 0)
        try recorder.pruned(seqs: 2..<5)
        try recorder.appended([100], kind: .generated, firstSeq: 5, taskPath: NodePath([0]), round: 0)
        try recorder.commit()

        let events = try store.events(runID: "r-events")
        XCTAssertEqual(events.map(\.seq), Array(1...events.count), "numbered from 1 without gaps")
        XCTAssertEqual(events.map(\.kind), [.created, .nodeOpened, .nodeOpened, .text, .text, .nodeClosed, .checkpoint,
                                            .pruned, .text, .checkpoint])
        let payloads = try events.map { try JSONSerialization.jsonObject(with: Data($0.payloadJSON.utf8)) as! [String: Any] }
        XCTAssertEqual(payloads[1]["path"] as? String, "0")
        XCTAssertEqual(payloads[2]["path"] as? String, "0.1")
        XCTAssertEqual(payloads[3]["text"] as? String, "ab")
        XCTAssertEqual(payloads[4]["text"] as? String, "c")
        XCTAssertEqual(payloads[4]["kind"] as? String, "forced")
        XCTAssertEqual(payloads[5]["conclusion"] as? String, "done")
        XCTAssertEqual(payloads[6]["tokens"] as? Int, 5)
        XCTAssertEqual(payloads[6]["kvSlots"] as? Int, 5)
        XCTAssertEqual(payloads[7]["from"] as? Int, 2)
        XCTAssertEqual(payloads[8]["text"] as? String, "d")
        XCTAssertEqual(payloads[9]["kvSlots"] as? Int, 3, "5 fed, 3 pruned, 1 more")
    }

    /// A character split across two commits (a token may end inside one) arrives whole in the
    /// second delta, never as replacement characters.
    func testTextDeltasNeverCutACharacter() throws {
        let store = try RunStore()
        try store.createRun(Self.run("r-utf8"))
        let recorder = StoreRecorder(store: store, runID: "r-utf8")
        recorder.liveInterval = 3600
        let bytes: [Int32: [UInt8]] = [1: [0x61, 0xC3], 2: [0xA9, 0x62]]  // "a" + "é" split + "b"
        recorder.tokenBytes = { ids in ids.flatMap { bytes[$0]! } }
        try recorder.appended([1], kind: .generated, firstSeq: 0, taskPath: NodePath([0]), round: 0)
        try recorder.commit()
        try recorder.appended([2], kind: .generated, firstSeq: 1, taskPath: NodePath([0]), round: 0)
        try recorder.commit()
        let texts = try store.events(runID: "r-utf8").filter { $0.kind == .text }.map {
            (try JSONSerialization.jsonObject(with: Data($0.payloadJSON.utf8)) as! [String: Any])["text"] as! String
        }
        XCTAssertEqual(texts, ["a", "éb"])
    }

    /// While tokens keep coming, the recorder commits at least every `liveInterval`, so a page
    /// following the run lags by about that much rather than by `commitInterval` tokens.
    func testTokensAreCommittedWithinTheLiveInterval() throws {
        let store = try RunStore()
        try store.createRun(Self.run("r-live"))
        let recorder = StoreRecorder(store: store, runID: "r-live")
        recorder.liveInterval = 0.05
        try recorder.appended([1], kind: .generated, firstSeq: 0, taskPath: NodePath([0]), round: 0)
        Thread.sleep(forTimeInterval: 0.06)
        try recorder.appended([2], kind: .generated, firstSeq: 1, taskPath: NodePath([0]), round: 0)
        XCTAssertEqual(try store.tokens(runID: "r-live").count, 2, "committed long before 64 tokens")
        recorder.recordsEvents = false
        try recorder.appended([3], kind: .generated, firstSeq: 2, taskPath: NodePath([0]), round: 0)
        Thread.sleep(forTimeInterval: 0.06)
        try recorder.appended([4], kind: .generated, firstSeq: 3, taskPath: NodePath([0]), round: 0)
        XCTAssertEqual(try store.tokens(runID: "r-live").count, 2, "without events only the token count commits")
    }

    private static func run(_ id: String) -> Run {
        let hash = String(repeating: "0", count: 64)
        return Run(id: id, workflow: "w", specText: "", specSHA256: hash, inputsJSON: "{}", modelPath: "m", modelSHA256: hash,
                   samplingJSON: "{}")
    }
}
