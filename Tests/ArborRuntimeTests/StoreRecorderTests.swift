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
}
