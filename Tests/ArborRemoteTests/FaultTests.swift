import ArborRemote
import ArborSchema
import Foundation
import XCTest

/// A scripted engine (`Fixtures/fake_engine.py`) on 127.0.0.1: 5xx is retried with backoff,
/// 4xx is final with the server's own message, a server that is down is `unavailable` (which
/// pauses a run) after the bounded retries.
final class FaultTests: XCTestCase {
    final class FakeEngine {
        let process = Process()
        /// Chosen by the engine (it binds port 0), so no other listener can hold it.
        private(set) var port = 0
        let log: URL
        var url: String { "http://127.0.0.1:\(port)" }

        init(script: [(Int, JSONValue)]) throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fake-engine-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let scriptFile = folder.appendingPathComponent("script.json")
            log = folder.appendingPathComponent("log.jsonl")
            try JSONValue.array(script.map { .array([.integer(Int64($0.0)), $0.1]) }).compactString.write(to: scriptFile, atomically: true, encoding: .utf8)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", ServerAPITests.fixtures.appendingPathComponent("fake_engine.py").path, "0", scriptFile.path, log.path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            // Up to the newline: print's pieces ("ready", " ", the port) may arrive in more than one read.
            var bytes = Data()
            while !bytes.contains(UInt8(ascii: "\n")) {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                bytes += chunk
            }
            let line = String(decoding: bytes, as: UTF8.self)
            XCTAssertTrue(line.hasPrefix("ready "), "fake engine: \(line)")
            port = Int(line.dropFirst("ready ".count).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }

        /// The JSON bodies it received, in order.
        func requests() throws -> [JSONValue] {
            try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map { try JSONValue(parsing: String($0)) }
        }

        deinit {
            process.terminate()
            process.waitUntilExit()
        }
    }

    static let fast = ServerConnection.RetryPolicy(attempts: 3, firstDelay: 0.05, timeout: 10)

    func testA5xxIsRetriedAndTheNextAnswerUsed() throws {
        let engine = try FakeEngine(script: [(503, ["error": ["code": 503, "message": "Loading model", "type": "unavailable_error"]]),
                                             (200, ["tokens": [1, 2]])])
        let connection = ServerConnection(baseURL: engine.url, retry: Self.fast)
        XCTAssertEqual(try connection.post("/tokenize", ["content": "x"]), ["tokens": [1, 2]])
        XCTAssertEqual(connection.retries, 1)
        XCTAssertEqual(try engine.requests().count, 2)
    }

    func testA4xxIsReportedWithTheServersOwnMessageAndNotRetried() throws {
        let engine = try FakeEngine(script: [(400, ["error": ["code": 400, "message": "failed to parse grammar", "type": "invalid_request_error"]])])
        let connection = ServerConnection(baseURL: engine.url, retry: Self.fast)
        XCTAssertThrowsError(try connection.post("/completion", ["prompt": [1]])) { error in
            XCTAssertEqual(error as? RemoteError, .refused(server: engine.url, status: 400, message: "failed to parse grammar"))
            XCTAssertFalse((error as? RemoteError)?.pausesRun ?? true)
        }
        XCTAssertEqual(connection.retries, 0)
    }

    func testAServerDyingMidRequestIsUnavailableAfterTheRetries() throws {
        let engine = try FakeEngine(script: [(0, nil)])
        let connection = ServerConnection(baseURL: engine.url, retry: Self.fast)
        let start = Date()
        XCTAssertThrowsError(try connection.post("/completion", ["prompt": [1]])) { error in
            guard case RemoteError.unavailable(let server, 3, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(server, engine.url)
        }
        XCTAssertEqual(try engine.requests().count, 1)
        XCTAssertLessThan(Date().timeIntervalSince(start), 8, "a dropped connection is noticed, not waited out")
    }

    func testAServerThatStaysDownIsUnavailableAfterTheRetriesAndPausesTheRun() throws {
        let connection = ServerConnection(baseURL: "http://127.0.0.1:9", retry: Self.fast)
        XCTAssertThrowsError(try connection.post("/completion", ["prompt": [1]])) { error in
            guard case RemoteError.unavailable(let server, let attempts, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(server, "http://127.0.0.1:9")
            XCTAssertEqual(attempts, 3)
            XCTAssertTrue((error as? RemoteError)?.pausesRun ?? false)
            XCTAssertTrue("\(error)".contains("arbor resume"), "the message says what to do: \(error)")
        }
        XCTAssertEqual(connection.retries, 2)
    }
}
