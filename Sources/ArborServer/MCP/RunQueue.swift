import Foundation

/// Lets one run at a time use the model: there is one model and one CPU, so a second call
/// waits for the first instead of halving the speed of both. Calls go in arrival order.
///
/// ```swift
/// try await queue.enter { ahead in print("\(ahead) calls ahead") }
/// defer { Task { await queue.leave() } }
/// ```
actor RunQueue {
    private struct Waiter {
        let id: UUID
        let continuation: CheckedContinuation<Void, any Error>
        let onPlace: @Sendable (Int) -> Void
    }

    private var busy = false
    private var waiters: [Waiter] = []
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    /// Returns when it is the caller's turn. `onPlace` hears how many calls are ahead (the
    /// running one included) when the call starts waiting, and again each time that number
    /// drops. A caller cancelled while waiting leaves the queue with `CancellationError`.
    func enter(onPlace: @escaping @Sendable (Int) -> Void) async throws {
        guard busy else {
            busy = true
            return
        }
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Cancelled before it got here: the cancellation handler found nothing to withdraw.
                if Task.isCancelled { return continuation.resume(throwing: CancellationError()) }
                waiters.append(Waiter(id: id, continuation: continuation, onPlace: onPlace))
                onPlace(waiters.count)
            }
        } onCancel: {
            Task { await self.withdraw(id) }
        }
    }

    /// The running call is done: the next one starts, and the rest hear their new places.
    func leave() {
        guard !waiters.isEmpty else {
            busy = false
            idleWaiters.forEach { $0.resume() }
            idleWaiters = []
            return
        }
        let next = waiters.removeFirst()
        next.continuation.resume()
        for (index, waiter) in waiters.enumerated() { waiter.onPlace(index + 1) }
    }

    /// Returns once no call runs and none waits.
    func waitUntilIdle() async {
        guard busy else { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    private func withdraw(_ id: UUID) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.continuation.resume(throwing: CancellationError())
        for (position, later) in waiters.enumerated().dropFirst(index) { later.onPlace(position + 1) }
    }
}
