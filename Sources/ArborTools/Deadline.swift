import Foundation

/// Runs `operation` and gives up after `seconds`, throwing `onTimeout()`.
///
/// The operation is cancelled when the time is up but not waited for: a tool that ignores
/// cancellation cannot hold the run. Tools that own a resource (a process) clean it up in
/// their cancellation handler.
func withDeadline<T: Sendable>(
    seconds: Double,
    onTimeout: @escaping @Sendable () -> any Error,
    operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let gate = ResumeOnce<T>()
    return try await withCheckedThrowingContinuation { continuation in
        gate.set(continuation)
        let timer = Task {
            do { try await Task.sleep(nanoseconds: UInt64(min(max(seconds, 0), 1e9) * 1_000_000_000)) } catch { return false }
            return gate.resume(with: .failure(onTimeout()))
        }
        let work = Task {
            do { gate.resume(with: .success(try await operation())) } catch { gate.resume(with: .failure(error)) }
            timer.cancel()  // no sleeping timer left behind per call
        }
        Task {
            if await timer.value { work.cancel() }
        }
    }
}

/// A continuation resumed by whichever of two tasks finishes first.
// @unchecked Sendable: all state is guarded by `lock`.
private final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var done = false

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        lock.withLock { self.continuation = continuation }
    }

    /// Resumes the continuation if nobody has; says whether this call did.
    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        let pending: CheckedContinuation<T, any Error>? = lock.withLock {
            guard !done else { return nil }
            done = true
            defer { continuation = nil }
            return continuation
        }
        guard let pending else { return false }
        pending.resume(with: result)
        return true
    }
}
