@testable import ArborCLI
import XCTest

final class LiveStatusLineTests: XCTestCase {
    /// A clock the test moves by hand, and everything the line wrote.
    private final class Terminal: @unchecked Sendable {
        var time = ContinuousClock.now
        var written: [String] = []
    }

    private func line(_ terminal: Terminal, enabled: Bool = true) -> LiveStatusLine {
        LiveStatusLine(enabled: enabled, interval: .milliseconds(100), now: { terminal.time }) { terminal.written.append($0) }
    }

    func testRedrawsAreThrottledToOnePerInterval() {
        let terminal = Terminal()
        let status = line(terminal)
        status.draw { "1 token" }
        terminal.time += .milliseconds(40)
        status.draw { XCTFail("text is not made for a skipped draw"); return "" }
        terminal.time += .milliseconds(70)
        status.draw { "3 tokens" }
        XCTAssertEqual(terminal.written, ["\r\u{1B}[K1 token", "\r\u{1B}[K3 tokens"])
    }

    func testClearErasesOnlyADrawnLine() {
        let terminal = Terminal()
        let status = line(terminal)
        status.clear()
        XCTAssertEqual(terminal.written, [], "nothing to erase before the first draw")
        status.draw { "busy" }
        status.clear()
        status.clear()
        XCTAssertEqual(terminal.written, ["\r\u{1B}[Kbusy", "\r\u{1B}[K"])
    }

    func testAPrintedLineTakesTheStatusPlaceAndTheStatusIsRedrawnBelow() {
        let terminal = Terminal()
        let status = line(terminal)
        status.draw { "[0/2]" }
        status.print("run 1 done\n") { "[1/2]" }
        XCTAssertEqual(terminal.written, ["\r\u{1B}[K[0/2]", "\r\u{1B}[K", "run 1 done\n", "\r\u{1B}[K[1/2]"],
                       "the redraw after a printed line is not throttled")
    }

    func testADisabledLineDrawsNothingButKeepsPrintedLines() {
        let terminal = Terminal()
        let status = line(terminal, enabled: false)
        status.draw { "busy" }
        status.print("run 1 done\n") { "[1/1]" }
        status.clear()
        XCTAssertEqual(terminal.written, ["run 1 done\n"])
    }
}
