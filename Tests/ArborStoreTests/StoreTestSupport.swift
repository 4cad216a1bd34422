import ArborStore
import ArborStoreTestSupport
import Foundation
import XCTest

/// Runs `body` once on an in-memory queue and once on a temp-file WAL pool.
func forEachStore(_ testCase: XCTestCase, _ body: (RunStore) throws -> Void) throws {
    try body(RunStore())
    let directory = try makeTemporaryDirectory(testCase)
    try body(RunStore(path: directory.appendingPathComponent("arbor.sqlite").path))
}

/// Asserts that `body` throws exactly `expected`.
func XCTAssertThrowsStoreError<T>(
    _ body: @autoclosure () throws -> T, _ expected: StoreError, file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        XCTAssertEqual(error as? StoreError, expected, "\(error)", file: file, line: line)
    }
}
