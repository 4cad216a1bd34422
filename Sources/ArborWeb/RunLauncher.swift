import ArborStore
import Foundation

/// Starts the page's runs as child `arbor` processes (`arbor run`, `resume`, `fork`) on the
/// server's database.
///
/// Why child processes rather than runs inside the server: a run that crashes (a model file
/// that fails to map, a kernel fault, a tool that takes the process down) takes its own process
/// with it, never the server and the other runs; each run gets the CLI's tested lifecycle
/// (SIGINT/SIGTERM stop it with its record committed); and the server needs no model code. The
/// page follows a child's run exactly as it follows `arbor run` in a terminal: through the store.
///
/// A child that ends without recording how its run ended (killed, crashed) leaves the run
/// `running` in the store; the launcher marks it failed with the exit status, so the page
/// shows it and `resume` continues it. When the server stops, its children get SIGTERM and
/// their runs end paused.
final class RunLauncher: @unchecked Sendable {
    /// The `arbor` executable (the server's own); nil when it is unknown (actions that start a
    /// process answer 503).
    let executable: String?
    let access: StoreAccess
    /// The children's output logs and input files.
    let folder: URL
    private let lock = NSLock()
    private var children: [ObjectIdentifier: (process: Process, runID: String?)] = [:]

    init(executable: String?, access: StoreAccess) {
        self.executable = executable
        self.access = access
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-serve-\(getpid())-\(UUID().uuidString.prefix(8))")
    }

    /// A file in ``folder`` holding `text` (inputs for `arbor run --inputs-file`).
    func writeFile(_ text: String, suffix: String) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("\(UUID().uuidString)\(suffix)")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// Starts `arbor ARGUMENTS --db DATABASE --quiet` and waits until `ready` finds what the
    /// caller waits for (the run id) in the child's output, or in the store. A child that exits
    /// first, or is not ready within `timeout`, is a 500 with the end of its output.
    func launch(_ arguments: [String], timeout: Duration = .seconds(120),
                ready: @escaping (_ output: String) throws -> String?) async throws -> String {
        guard let executable else {
            throw APIError(status: 503, message: "This server does not know where the `arbor` executable is, so it cannot start runs; start it with `arbor serve`.")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let log = folder.appendingPathComponent("\(arguments[0])-\(UUID().uuidString.prefix(8)).log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw APIError(status: 500, message: "Cannot write the run's log \(log.path).")
        }
        let output = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments + ["--db", access.path, "--quiet"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        let key = ObjectIdentifier(process)
        process.terminationHandler = { [weak self] ended in
            try? output.close()
            self?.childEnded(key, status: ended.terminationStatus, reason: ended.terminationReason)
        }
        lock.withLock { children[key] = (process, nil) }
        do { try process.run() } catch {
            lock.withLock { _ = children.removeValue(forKey: key) }
            throw APIError(status: 500, message: "Cannot start \(executable): \(error.localizedDescription)")
        }
        let deadline = ContinuousClock.now + timeout
        while true {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let found = try ready(text) {
                lock.withLock { children[key]?.runID = found }
                return found
            }
            if !process.isRunning || ContinuousClock.now > deadline {
                let tail = text.split(separator: "\n").suffix(6).joined(separator: "\n")
                let how = process.isRunning ? "did not start within \(timeout)" : "exited with status \(process.terminationStatus)"
                throw APIError(status: 500, message: "`arbor \(arguments[0])` \(how): \(tail.isEmpty ? "(no output)" : tail)")
            }
            try await Task.sleep(for: .milliseconds(40))
        }
    }

    /// The first run id printed as `run ID` at the start of a line (what `arbor run` and
    /// `arbor fork` write to standard error once the run is recorded).
    static func printedRunID(in output: String) -> String? {
        for line in output.split(separator: "\n") where line.hasPrefix("run ") {
            let id = line.dropFirst(4).prefix { !$0.isWhitespace && $0 != ":" }
            if !id.isEmpty { return String(id) }
        }
        return nil
    }

    /// SIGTERM to every child still running: each stops between tokens and its run ends paused.
    func stopAll() {
        let running = lock.withLock { children.values.map(\.process) }
        for process in running where process.isRunning { process.terminate() }
        for process in running { process.waitUntilExit() }
        try? FileManager.default.removeItem(at: folder)
    }

    private func childEnded(_ key: ObjectIdentifier, status: Int32, reason: Process.TerminationReason) {
        guard let child = lock.withLock({ children.removeValue(forKey: key) }), let runID = child.runID else { return }
        // `arbor` records every ending it sees; a run still `running` lost its process
        guard let store = try? access.store(), let run = try? store.run(id: runID), run.status == .running else { return }
        let how = reason == .uncaughtSignal ? "was killed by signal \(status)" : "exited with status \(status)"
        try? store.failRun(runID, error: "the arbor process of this run \(how) before recording how the run ended; resume continues it from its last commit")
    }
}
