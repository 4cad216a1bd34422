import XCTest
@testable import ArborServer

/// One run at a time, in arrival order, each waiting call told its place.
final class RunQueueTests: XCTestCase {
    func testWaitingCallsGoInOrderAndHearTheirPlaceDrop() async throws {
        let queue = RunQueue()
        let places = PlaceLog()
        try await queue.enter { _ in XCTFail("the first call does not wait") }
        let second = Task { try await queue.enter { places.add("second", $0) }; places.add("second", 0) }
        while places.entries.count < 1 { await Task.yield() }
        let third = Task { try await queue.enter { places.add("third", $0) }; places.add("third", 0) }
        while places.entries.count < 2 { await Task.yield() }
        XCTAssertEqual(places.entries.map(\.1), [1, 2])

        await queue.leave()
        try await second.value
        XCTAssertEqual(places.entries.suffix(2).map { "\($0.0) \($0.1)" }.sorted(), ["second 0", "third 1"])
        await queue.leave()
        try await third.value
        await queue.leave()
        await queue.waitUntilIdle()
    }

    func testACallCancelledWhileWaitingLeavesTheQueue() async throws {
        let queue = RunQueue()
        let places = PlaceLog()
        try await queue.enter { _ in }
        let waiting = Task { try await queue.enter { places.add("waiting", $0) } }
        while places.entries.isEmpty { await Task.yield() }
        waiting.cancel()
        do {
            try await waiting.value
            XCTFail("a cancelled waiting call throws")
        } catch is CancellationError {}
        await queue.leave()
        await queue.waitUntilIdle()   // returns: nobody else holds or waits for the model
    }
}

final class PlaceLog: @unchecked Sendable {
    private let lock = NSLock()
    private var log: [(String, Int)] = []

    func add(_ name: String, _ place: Int) {
        lock.lock(); log.append((name, place)); lock.unlock()
    }

    var entries: [(String, Int)] {
        lock.lock(); defer { lock.unlock() }
        return log
    }
}
