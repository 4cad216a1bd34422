import Foundation

/// One line of live status on standard error, redrawn in place (a carriage return, then erase
/// to the end of the line) at most once per ``interval``, and erased before other output is
/// written or when the work ends.
///
/// Only drawn when enabled and standard error is a terminal: in a log file the redraws would
/// pile up as one endless line. Safe to call from any thread.
///
/// ```swift
/// let status = LiveStatusLine(enabled: !quiet)
/// status.draw { "\(tokens) tokens" }   // skipped if the last draw was under 100 ms ago
/// status.clear()                       // before printing the answer
/// ```
final class LiveStatusLine: @unchecked Sendable {
    /// The shortest time between two draws.
    let interval: Duration
    let isEnabled: Bool
    private let lock = NSLock()
    private let write: (String) -> Void
    private let now: () -> ContinuousClock.Instant
    private var lastDraw: ContinuousClock.Instant?
    private var drawn = false

    /// A line on standard error, drawn when `enabled` and standard error is a terminal.
    convenience init(enabled: Bool) {
        self.init(enabled: enabled && isatty(STDERR_FILENO) != 0) { FileHandle.standardError.write(Data($0.utf8)) }
    }

    /// A line written through `write`; `now` is the clock the throttle reads.
    init(enabled: Bool, interval: Duration = .milliseconds(100), now: @escaping () -> ContinuousClock.Instant = { .now },
         write: @escaping (String) -> Void) {
        self.isEnabled = enabled
        self.interval = interval
        self.now = now
        self.write = write
    }

    /// Redraws the line with `text()`, unless it was drawn less than ``interval`` ago.
    /// `text` is only called to draw.
    func draw(_ text: () -> String) {
        lock.withLock { drawLocked(force: false, text) }
    }

    /// Erases the line if it is on the screen.
    func clear() {
        lock.withLock { clearLocked() }
    }

    /// Writes `line` (ending in a newline) where the status was, enabled or not (a log keeps
    /// it), and draws the status again below it with `text()`.
    func print(_ line: String, thenDraw text: () -> String) {
        lock.withLock {
            clearLocked()
            write(line)
            drawLocked(force: true, text)
        }
    }

    private func drawLocked(force: Bool, _ text: () -> String) {
        guard isEnabled else { return }
        let time = now()
        if !force, let lastDraw, time - lastDraw < interval { return }
        lastDraw = time
        write("\r\u{1B}[K" + text())
        drawn = true
    }

    private func clearLocked() {
        if drawn { write("\r\u{1B}[K") }
        drawn = false
    }
}
