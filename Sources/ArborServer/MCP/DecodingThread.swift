import Foundation

/// A thread of its own for the runs' decoding, as a task executor.
///
/// A run decodes token after token without suspending, so on Swift's cooperative thread
/// pool it would hold one of its threads for minutes; on a machine with one or two cores that
/// leaves nothing to read the next message, so a cancellation or a progress notification
/// would wait for the run to end. Runs go to this thread instead (one at a time, as the
/// queue lets them), and the pool stays free for the protocol.
///
/// ```swift
/// let report = try await withTaskExecutorPreference(DecodingThread.shared) { try await execution.run(inputs: inputs) }
/// ```
@available(macOS 15.0, *)
final class DecodingThread: TaskExecutor, @unchecked Sendable {
    static let shared = DecodingThread()

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init() {
        let thread = Thread { [unowned self] in self.runJobs() }
        thread.name = "arbor-decoding"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
