@testable import ArborRuntime
import XCTest

/// A round past its budget ends at a top-level task boundary; a token such as `"},` must not
/// carry the tree past it.
final class TreeTrackerRoundEndTests: XCTestCase {
    private func tracker(after text: String) -> TreeTracker {
        var tracker = TreeTracker()
        _ = tracker.consume(Array(text.utf8))
        return tracker
    }

    func testATokenRunningPastATopLevelTaskIsCutAfterItsBrace() {
        let inConclusion = tracker(after: #"{"reasoning":[{"thought":"a","conclusion":"b"#)
        XCTAssertEqual(inConclusion.bytesToTopLevelBoundary(in: Array(#""},"#.utf8)), 2)
        XCTAssertEqual(inConclusion.bytesToTopLevelBoundary(in: Array(#""},{"thought":""#.utf8)), 2)
        XCTAssertNil(inConclusion.bytesToTopLevelBoundary(in: Array(#""}"#.utf8)), "ending at the boundary needs no cut")
        XCTAssertNil(inConclusion.bytesToTopLevelBoundary(in: Array("c.".utf8)))
        let afterTask = tracker(after: #"{"reasoning":[{"thought":"a","conclusion":"b"}"#)
        XCTAssertTrue(afterTask.isAtTopLevelBoundary)
        XCTAssertNil(afterTask.bytesToTopLevelBoundary(in: Array(#",{"#.utf8)))
    }

    func testASubtaskOrABraceInsideAStringIsNoBoundary() {
        let inSubtask = tracker(after: #"{"reasoning":[{"thought":"a","subtasks":[{"thought":"b","conclusion":"c"#)
        XCTAssertNil(inSubtask.bytesToTopLevelBoundary(in: Array(#""},{"#.utf8)))
        let closing = #""}],"conclusion":"d"}"#
        XCTAssertEqual(inSubtask.bytesToTopLevelBoundary(in: Array((closing + ",").utf8)), closing.utf8.count)
        let inString = tracker(after: #"{"reasoning":[{"thought":"a","conclusion":"b"#)
        XCTAssertNil(inString.bytesToTopLevelBoundary(in: Array("} x".utf8)))
    }
}
