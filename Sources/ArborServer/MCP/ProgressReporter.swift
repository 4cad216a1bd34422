import Foundation
import MCP

/// Sends one call's progress notifications, in the order they happen, to a client that
/// asked for them with a `progressToken`.
///
/// The run reports from its decoding thread and must not wait for the client; messages go
/// through a stream to one sending task, so they leave in order and the progress value
/// counts up by one with each (MCP wants it to increase).
final class ProgressReporter: Sendable {
    private let continuation: AsyncStream<String>.Continuation
    private let sender: Task<Void, Never>

    init(token: ProgressToken, server: Server) {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        self.continuation = continuation
        sender = Task {
            var sent = 0.0
            for await message in stream {
                sent += 1
                try? await server.notify(ProgressNotification.message(.init(progressToken: token, progress: sent, message: message)))
            }
        }
    }

    /// Queues a notification with `message`.
    func report(_ message: String) {
        continuation.yield(message)
    }

    /// Returns once every queued notification is sent (before the call's result, so that a
    /// client sees them first).
    func finish() async {
        continuation.finish()
        await sender.value
    }
}

/// Set when a call is cancelled or the server shuts down; the run checks it before every
/// token and stops with its record committed.
final class StopFlag: @unchecked Sendable {
    // NSLock: `Mutex` needs macOS 15, and the package still builds for macOS 14.
    private let lock = NSLock()
    private var isSet = false

    var isRequested: Bool {
        lock.lock(); defer { lock.unlock() }
        return isSet
    }

    func request() {
        lock.lock(); isSet = true; lock.unlock()
    }
}
