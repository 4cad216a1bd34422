import ArborSchema
import ArborStore
import Foundation
import XCTest

/// A fresh directory under the system temporary directory, removed by the test case.
public func makeTemporaryDirectory(_ testCase: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("arbor-store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// A SHA-256 in hex, for records that need one.
public let sampleSHA = String(repeating: "ab", count: 32)

/// A run record with fixed fields.
public func sampleRun(id: String = "r-test01", workflow: String = "triage", createdAt: Date = Date()) -> Run {
    Run(
        id: id, workflow: workflow, specText: "name: triage\n", specSHA256: sampleSHA,
        inputsJSON: #"{"ticket":"disk full"}"#, modelPath: "/models/m.gguf", modelSHA256: sampleSHA,
        samplingJSON: #"{"temperature":0}"#, createdAt: createdAt)
}

/// Generated tokens (the first four prompt tokens) for `seqs`.
public func sampleTokens(runID: String, seqs: Range<Int>, round: Int = 0) -> [TokenRecord] {
    seqs.map { seq in
        TokenRecord(
            runID: runID, seq: seq, tokenID: Int32(seq % 49_152), kind: seq < 4 ? .prompt : .generated,
            round: round, taskPath: seq < 4 ? nil : NodePath([0, seq % 3]), position: seq)
    }
}
