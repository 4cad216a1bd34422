import Foundation

/// A task executor with one thread of its own, for a run whose decode loop blocks: a forward
/// pass or a segment request (libcurl, blocking) holds its thread until it returns.
///
/// Swift's cooperative pool has one thread per core; runs that block there would take turns
/// on a 2-core machine however many `--jobs` were asked for, and a waiting HTTP request would
/// keep a core's thread from anything else. A run started with this executor as its
/// preference does its blocking on its own thread; actor work (tools) still hops to the
/// actors' executors.
///
/// ```swift
/// let executor = ThreadExecutor(name: "arbor-run-1")
/// defer { executor.shutdown() }
/// let report = try await Task(executorPreference: executor) { try await execution.run(inputs: inputs) }.value
/// ```
@available(macOS 15.0, *)
public final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    /// Starts the thread; `stackSize` is generous because a decode step's call depth (grammar
    /// matcher, decoder, backend) is that of a cooperative-pool thread.
    public init(name: String, stackSize: Int = 8 << 20) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.stackSize = stackSize
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread end once the jobs already queued have run.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
