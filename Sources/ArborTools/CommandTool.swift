import ArborSchema
import ArborSpec
import Foundation

/// A tool that runs a program: `argv` from the spec with `{{parameter}}` filled in (each
/// element stays one argument; never through a shell), the arguments as JSON on stdin, and
/// the JSON it prints on stdout as the result. The program sees a ``ChildEnvironment``, not
/// Arbor's whole environment.
///
/// Uses Foundation's `Process`, which gives the pid to kill on timeout and needs no extra
/// package build. A non-zero exit, a signal or stdout that is not JSON becomes a
/// ``ToolError`` with the tail of stderr. The time limit is enforced by ``ToolBox``, which
/// cancels the call: the process then gets SIGTERM, and SIGKILL a second later.
public struct CommandTool: ArborTool {
    public let name: String
    public let description: String
    public let parametersSchema: JSONValue
    public let template: CommandTemplate
    public var timeoutSeconds: Double { template.timeoutSeconds }
    /// Output beyond this many bytes is cut off (and then fails to parse as JSON).
    public var outputLimit = 4 << 20
    /// Fills `${VAR}` in the template's `env:` entries.
    private let lookup: [String: String]

    public init(name: String, description: String, parametersSchema: JSONValue, template: CommandTemplate,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.name = name
        self.description = description
        self.parametersSchema = parametersSchema
        self.template = template
        lookup = environment
    }

    /// The command as shown in messages: `python3 tool.py --flag`.
    public var commandLine: String { template.argv.joined(separator: " ") }

    public func call(arguments: JSONValue) async throws -> JSONValue {
        let argv = template.argv.enumerated().map { index, element in
            index == 0 ? element : fillPlaceholders(element, from: arguments, encode: { $0 })
        }
        guard let program = argv.first, let executable = Self.resolve(program) else {
            throw ToolError.launchFailed(tool: name, command: commandLine, message: "'\(template.argv.first ?? "")' was not found on PATH")
        }
        let environment = try ChildEnvironment.make(parent: ProcessInfo.processInfo.environment, entries: template.environment,
                                                    lookup: lookup) { entry, variable throws(ToolError) in
            throw ToolError.missingEnvironmentVariable(tool: name, variable: variable, context: "its environment entry \(entry)")
        }
        let run = ProcessRun(executable: executable, arguments: Array(argv.dropFirst()), environment: environment, outputLimit: outputLimit)
        let input = Data((arguments.compactString + "\n").utf8)
        let result: ProcessRun.Result
        do {
            result = try await withTaskCancellationHandler {
                try await run.run(stdin: input)
            } onCancel: {
                run.kill()
            }
        } catch {
            throw ToolError.launchFailed(tool: name, command: commandLine, message: String(describing: error))
        }
        let stderr = String(decoding: result.stderr, as: UTF8.self)
        guard result.status == 0, result.reason == .exit else {
            let status = result.reason == .exit ? result.status : 128 + result.status
            throw ToolError.commandFailed(tool: name, command: commandLine, status: status, stderrTail: tail(stderr))
        }
        do {
            return try JSONValue(parsing: result.stdout)
        } catch {
            let stdout = String(decoding: result.stdout, as: UTF8.self)
            let shown = excerpt(stdout).isEmpty ? "nothing" : excerpt(stdout)
            throw ToolError.nonJSONOutput(tool: name, source: "the command \(commandLine)",
                                          excerpt: shown + (stderr.isEmpty ? "" : " (stderr: \(tail(stderr, limit: 200)))"))
        }
    }

    /// An absolute or relative path as given, else the first match on PATH.
    static func resolve(_ program: String) -> URL? {
        if program.contains("/") { return URL(fileURLWithPath: program) }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(program)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}

/// Replaces each `{{parameter}}` in `text` by the argument: strings as they are, other
/// values as compact JSON, each passed through `encode`. Unknown names stay as written.
func fillPlaceholders(_ text: String, from arguments: JSONValue, encode: (String) -> String) -> String {
    var output = "", rest = Substring(text)
    while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
        output += rest[..<open.lowerBound]
        let key = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
        if let value = arguments[key] {
            output += encode(value.stringValue ?? value.compactString)
        } else {
            output += rest[open.lowerBound..<close.upperBound]
        }
        rest = rest[close.upperBound...]
    }
    return output + rest
}

/// One child process with stdin fed and stdout/stderr collected on their own threads.
// @unchecked Sendable: `process` is only mutated before launch; `kill` only signals it.
final class ProcessRun: @unchecked Sendable {
    struct Result {
        var status: Int32
        var reason: Process.TerminationReason
        var stdout: Data
        var stderr: Data
    }

    private let process = Process()
    private let outputLimit: Int

    init(executable: URL, arguments: [String], environment: [String: String]? = nil, outputLimit: Int) {
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        self.outputLimit = outputLimit
    }

    /// A child that exits without reading stdin must not kill Arbor with SIGPIPE; the failed
    /// write is reported as EPIPE instead.
    private static let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    func run(stdin input: Data) async throws -> Result {
        Self.ignoreBrokenPipes
        let stdinPipe = Pipe(), stdoutPipe = Pipe(), stderrPipe = Pipe()
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        let exited = ExitSignal()
        process.terminationHandler = { _ in exited.fire() }
        try process.run()
        let limit = outputLimit
        async let stdout = Self.readAll(stdoutPipe.fileHandleForReading, limit: limit)
        async let stderr = Self.readAll(stderrPipe.fileHandleForReading, limit: 1 << 20)
        async let fed: Void = Self.write(input, to: stdinPipe.fileHandleForWriting)
        let (out, err, _) = await (stdout, stderr, fed)
        // Not an AsyncStream: iterating one ends at once in a cancelled task (a timeout),
        // and reading the status of a process not yet reaped traps.
        await exited.wait()
        return Result(status: process.terminationStatus, reason: process.terminationReason, stdout: out, stderr: err)
    }

    /// SIGTERM now, SIGKILL a second later if it is still running.
    func kill() {
        guard process.isRunning else { return }
        process.terminate()
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { [process] in
            if process.isRunning { Foundation.kill(pid, SIGKILL) }
        }
    }

    /// Resumes its waiter once the process has been reaped, whichever comes first.
    // @unchecked Sendable: state guarded by `lock`.
    private final class ExitSignal: @unchecked Sendable {
        private let lock = NSLock()
        private var fired = false
        private var waiter: CheckedContinuation<Void, Never>?

        func fire() {
            let pending: CheckedContinuation<Void, Never>? = lock.withLock {
                fired = true
                defer { waiter = nil }
                return waiter
            }
            pending?.resume()
        }

        func wait() async {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready: Bool = lock.withLock {
                    if fired { return true }
                    waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    private static func readAll(_ handle: FileHandle, limit: Int) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var data = Data()
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    if data.count < limit { data.append(chunk.prefix(limit - data.count)) }
                }
                continuation.resume(returning: data)
            }
        }
    }

    private static func write(_ data: Data, to handle: FileHandle) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                // The child may exit without reading; a failed write is not an error here.
                try? handle.write(contentsOf: data)
                try? handle.close()
                continuation.resume()
            }
        }
    }
}
