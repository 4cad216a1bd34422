import Foundation

/// Wakes the event streams of `arbor serve` when the database changes, whoever wrote to it.
///
/// One loop polls SQLite's `data_version` (``StoreAccess/committedSinceLastLook()``) every
/// `interval`; each change bumps ``generation`` and resumes every stream waiting for it. A
/// stream reads the generation before it reads the events, then waits for a later one, so a
/// commit between the two is never missed. Every `heartbeat` the waiters are woken anyway, so a
/// stream whose client left finds out when it writes.
actor CommitFeed {
    private(set) var generation = 0
    private var waiters: [Int: CheckedContinuation<Int, Never>] = [:]
    private var cancelled: Set<Int> = []
    private var nextWaiter = 0

    /// Returns a generation after `seen` (at once when there is one), the current one after a
    /// heartbeat, or when the task is cancelled.
    func wait(after seen: Int) async -> Int {
        if generation > seen || Task.isCancelled { return generation }
        let id = nextWaiter
        nextWaiter += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if cancelled.remove(id) != nil {
                    continuation.resume(returning: generation)
                } else {
                    waiters[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    private func cancel(_ id: Int) {
        if let continuation = waiters.removeValue(forKey: id) {
            continuation.resume(returning: generation)
        } else {
            cancelled.insert(id)
        }
    }

    /// Wakes every waiter; `changed` says whether the database changed (a new generation).
    func wake(changed: Bool) {
        if changed { generation += 1 }
        let current = waiters
        waiters.removeAll()
        for continuation in current.values { continuation.resume(returning: generation) }
    }

    /// Polls until cancelled; `look` says whether a commit happened (errors count as none: the
    /// requests report them).
    func poll(every interval: Duration, heartbeat: Duration, _ look: @Sendable () throws -> Bool) async {
        let clock = ContinuousClock()
        var lastWake = clock.now
        while !Task.isCancelled {
            let changed = (try? look()) ?? false
            if changed || clock.now - lastWake >= heartbeat {
                wake(changed: changed)
                lastWake = clock.now
            }
            try? await Task.sleep(for: interval)
        }
        wake(changed: false)
    }
}
