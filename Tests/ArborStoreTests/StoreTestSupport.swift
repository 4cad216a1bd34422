import ArborStore
import Foundation
import XCTest

/// A fresh directory under the system temporary directory, removed by the test case.
func makeTemporaryDirectory(_ testCase: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("arbor-store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// Runs `body` once on an in-memory queue and once on a temp-file WAL pool.
func forEachStore(_ testCase: XCTestCase, _ body: (RunStore) throws -> Void) throws {
    try body(RunStore())
    let directory = try makeTemporaryDirectory(testCase)
    try body(RunStore(path: directory.appendingPathComponent("arbor.sqlite").path))
}

let sampleSHA = String(repeating: "ab", count: 32)

func sampleRun(id: String = "r-test01", workflow: String = "triage", createdAt: Date = Date()) -> Run {
    Run(
        id: id, workflow: workflow, specText: "name: triage\n", specSHA256: sampleSHA,
        inputsJSON: #"{"ticket":"disk full"}"#, modelPath: "/models/m.gguf", modelSHA256: sampleSHA,
        samplingJSON: #"{"temperature":0}"#, createdAt: createdAt)
}

func sampleTokens(runID: String, seqs: Range<Int>, round: Int = 0) -> [TokenRecord] {
    seqs.map { seq in
        TokenRecord(
            runID: runID, seq: seq, tokenID: Int32(seq % 49_152), kind: seq < 4 ? .prompt : .generated,
            round: round, taskPath: seq < 4 ? nil : NodePath([0, seq % 3]), position: seq)
    }
}

/// Asserts that `body` throws exactly `expected`.
func XCTAssertThrowsStoreError<T>(
    _ body: @autoclosure () throws -> T, _ expected: StoreError, file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        XCTAssertEqual(error as? StoreError, expected, "\(error)", file: file, line: line)
    }
}
