import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What one input did: accepted (parsed, or loaded), rejected with an error a person can act
/// on, or rejected in a way that is a bug (an empty or unlocated message).
public enum FuzzOutcome {
    case accepted
    case rejected
    case unclear(String)
}

/// The totals of one fuzz target's run.
public struct FuzzReport: CustomStringConvertible {
    public var target: String
    public var iterations = 0
    public var accepted = 0
    public var rejected = 0
    /// The first few inputs whose error was not clear, with why.
    public var unclear: [(input: [UInt8], reason: String)] = []
    public var unclearCount = 0
    public var slowestSeconds = 0.0
    public var seconds = 0.0
    /// The most the process grew over its size when the run began.
    public var peakResidentBytes = 0

    public var description: String {
        String(format: "fuzz %@: %d inputs (%d accepted, %d rejected, %d unclear) in %.1f s, slowest %.3f s, memory growth %d MiB",
               target, iterations, accepted, rejected, unclearCount, seconds, slowestSeconds, peakResidentBytes >> 20)
    }
}

/// Runs a parser on mutated inputs in this process and makes every failure loud: an input
/// that crashes, hangs past `perInputSeconds` or grows the process by more than
/// `memoryLimitBytes` stops the test run with the target, the iteration and the input saved
/// to a file (the run is deterministic, so the same seed and count find it again). The time
/// bound is generous because the machine may be shared; a real hang never ends.
///
/// `ARBOR_FUZZ_ITERATIONS` sets the inputs per target for a longer run (see the README);
/// `make test` runs the defaults, a few seconds each.
public enum FuzzDriver {
    /// The inputs to run for `target`: `ARBOR_FUZZ_ITERATIONS_<TARGET>` (`yaml-spec` reads
    /// `ARBOR_FUZZ_ITERATIONS_YAML_SPEC`), else `ARBOR_FUZZ_ITERATIONS`, else `count`.
    public static func iterations(_ target: String, default count: Int) -> Int {
        let environment = ProcessInfo.processInfo.environment
        let own = "ARBOR_FUZZ_ITERATIONS_" + target.uppercased().replacingOccurrences(of: "-", with: "_")
        return (environment[own] ?? environment["ARBOR_FUZZ_ITERATIONS"]).flatMap(Int.init) ?? count
    }

    public static func run(_ target: String, mutator: Mutator, iterations: Int, seed: UInt64 = 0xA4B0_5EED,
                           perInputSeconds: Double = 10, memoryLimitBytes: Int = 2 << 30,
                           body: ([UInt8]) -> FuzzOutcome) -> FuzzReport {
        var report = FuzzReport(target: target)
        var rng = FuzzRandom(seed: seed)
        let watch = Watch(target: target, perInputSeconds: perInputSeconds, memoryLimitBytes: memoryLimitBytes)
        watch.start()
        CrashNote.arm(target: target)
        let clock = ContinuousClock()
        let started = clock.now
        // The seeds themselves first, then mutations.
        for iteration in 0..<iterations {
            let input = iteration < mutator.seeds.count ? mutator.seeds[iteration] : mutator.next(&rng)
            CrashNote.record(input, iteration: iteration)
            watch.begin(input, iteration: iteration)
            let inputStart = clock.now
            let outcome = body(input)
            let elapsed = clock.now - inputStart
            watch.end()
            report.slowestSeconds = max(report.slowestSeconds, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            report.iterations += 1
            switch outcome {
            case .accepted: report.accepted += 1
            case .rejected: report.rejected += 1
            case .unclear(let reason):
                report.unclearCount += 1
                if report.unclear.count < 5 { report.unclear.append((input, reason)) }
            }
        }
        let total = clock.now - started
        report.seconds = Double(total.components.seconds) + Double(total.components.attoseconds) * 1e-18
        report.peakResidentBytes = watch.stop()
        CrashNote.disarm()
        print(report)
        return report
    }

    /// Resident memory of this process, from /proc (0 where there is none).
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }

    /// Saves `input` where a person can find it and returns the path.
    static func save(_ input: [UInt8], target: String, kind: String) -> String {
        let path = NSTemporaryDirectory() + "arbor-fuzz-\(target)-\(kind).bin"
        _ = FileManager.default.createFile(atPath: path, contents: Data(input))
        return path
    }
}

/// The watchdog: a thread that checks every 50 ms how long the current input has run and how
/// much memory the process holds, and stops the process with a report when either is past
/// its bound (a hang cannot be interrupted from inside, and must not hang `make test`).
// @unchecked Sendable: every mutable field is read and written under `lock`.
final class Watch: @unchecked Sendable {
    private let target: String
    private let perInputSeconds: Double
    private let memoryLimitBytes: Int
    private let lock = NSLock()
    private var input: [UInt8] = []
    private var iteration = 0
    private var startedAt: UInt64?
    private var running = true
    private var peak = 0
    /// Resident memory when the run began: other tests in the process count as the baseline.
    private let baseline = FuzzDriver.residentBytes()
    private let finished = DispatchSemaphore(value: 0)

    init(target: String, perInputSeconds: Double, memoryLimitBytes: Int) {
        self.target = target
        self.perInputSeconds = perInputSeconds
        self.memoryLimitBytes = memoryLimitBytes
    }

    func start() {
        let thread = Thread { [self] in
            while true {
                usleep(50_000)
                let resident = FuzzDriver.residentBytes() - baseline
                lock.lock()
                peak = max(peak, resident)
                let stop = !running
                let overdue = startedAt.map { Double(DispatchTime.now().uptimeNanoseconds - $0) / 1e9 > perInputSeconds } ?? false
                let input = self.input, iteration = self.iteration
                lock.unlock()
                if stop { break }
                if overdue || resident > memoryLimitBytes {
                    let kind = overdue ? "hang" : "memory"
                    let path = FuzzDriver.save(input, target: target, kind: kind)
                    let reason = overdue ? "ran longer than \(perInputSeconds) s" : "grew the process by more than \(memoryLimitBytes >> 20) MiB"
                    FileHandle.standardError.write(Data("fuzz \(target): input \(iteration) \(reason); it is saved in \(path)\n".utf8))
                    exit(70)
                }
            }
            finished.signal()
        }
        thread.start()
    }

    func begin(_ input: [UInt8], iteration: Int) {
        lock.lock()
        self.input = input
        self.iteration = iteration
        startedAt = DispatchTime.now().uptimeNanoseconds
        lock.unlock()
    }

    func end() {
        lock.lock()
        startedAt = nil
        lock.unlock()
    }

    /// Stops the thread and returns the peak resident memory it saw.
    func stop() -> Int {
        lock.lock()
        running = false
        lock.unlock()
        finished.wait()
        return max(peak, FuzzDriver.residentBytes() - baseline)
    }
}
