import Foundation
import ArborSchema

/// Why a tool call, or setting up a tool, failed. Every case names the tool and where the
/// failure happened (JSON pointer, command, URL or server), and its `description` is the
/// text the model and the user see.
public enum ToolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The model called a tool the workflow does not declare.
    case unknownTool(name: String, known: [String])
    /// The arguments text the model wrote is not JSON.
    case malformedArguments(tool: String, message: String)
    /// The arguments do not satisfy the tool's parameter schema; checked before calling.
    case invalidArguments(tool: String, violations: [ValidationError])
    /// The tool's parameter schema does not compile.
    case invalidParameterSchema(tool: String, message: String)
    /// The call took longer than its time limit and was abandoned (a process is killed).
    case timedOut(tool: String, target: String, seconds: Double)
    /// A built-in tool rejected its input (a malformed expression, an unknown unit, …).
    case builtinFailed(tool: String, message: String)
    /// A command tool's program could not be started.
    case launchFailed(tool: String, command: String, message: String)
    /// A command tool exited with a non-zero status or was killed by a signal.
    case commandFailed(tool: String, command: String, status: Int32, stderrTail: String)
    /// A command, HTTP endpoint or MCP server answered with something that is not JSON.
    case nonJSONOutput(tool: String, source: String, excerpt: String)
    /// A `${NAME}` in a header or server environment names an unset environment variable.
    case missingEnvironmentVariable(tool: String, variable: String, context: String)
    /// An HTTP tool's URL is malformed or its host is not in `allowed_hosts`.
    case hostNotAllowed(tool: String, url: String, allowed: [String])
    case invalidURL(tool: String, url: String)
    /// The HTTP request failed before a response arrived.
    case httpTransport(tool: String, url: String, message: String)
    /// The HTTP response body is larger than the tool's limit; the transfer was stopped there.
    case responseTooLarge(tool: String, url: String, limit: Int)
    /// A URL argument is `.` or `..` as a whole path segment, which would walk the URL's path.
    case pathTraversal(tool: String, url: String)
    /// The HTTP server answered with a status outside 200–299.
    case httpStatus(tool: String, url: String, status: Int, bodyExcerpt: String)
    /// The MCP server could not be started, initialised or asked.
    case mcpServerFailed(server: String, target: String, message: String)
    /// The MCP server does not list the tool a binding names.
    case mcpToolMissing(tool: String, server: String, remoteName: String, available: [String])
    /// The MCP request for a tool call failed (protocol or transport error).
    case mcpCallFailed(tool: String, server: String, target: String, message: String)
    /// The MCP server ran the tool and reported an error (`isError: true`).
    case mcpToolReportedError(tool: String, server: String, message: String)
    /// A failure read back from a run's record; `message` is the original description.
    case recorded(tool: String, message: String)

    public var description: String {
        switch self {
        case .recorded(_, let message):
            return message
        case .unknownTool(let name, let known):
            return "There is no tool called '\(name)'; the tools are: \(known.joined(separator: ", "))."
        case .malformedArguments(let tool, let message):
            return "The arguments of tool '\(tool)' are not JSON: \(message)."
        case .invalidArguments(let tool, let violations):
            let lines = violations.map(\.description).joined(separator: "; ")
            return "The arguments of tool '\(tool)' are invalid: \(lines). Call it again with arguments that match its parameters."
        case .invalidParameterSchema(let tool, let message):
            return "The parameter schema of tool '\(tool)' is not a usable JSON Schema: \(message)."
        case .timedOut(let tool, let target, let seconds):
            return "Tool '\(tool)' (\(target)) did not finish within \(formatSeconds(seconds)) s and was stopped."
        case .builtinFailed(let tool, let message):
            return "Tool '\(tool)' failed: \(message)"
        case .launchFailed(let tool, let command, let message):
            return "Tool '\(tool)' could not start the command \(command): \(message). Check that the program exists and is executable."
        case .commandFailed(let tool, let command, let status, let stderrTail):
            let tail = stderrTail.isEmpty ? "no stderr" : "stderr ends with: \(stderrTail)"
            return "Tool '\(tool)': the command \(command) exited with status \(status) (\(tail))."
        case .nonJSONOutput(let tool, let source, let excerpt):
            return "Tool '\(tool)': \(source) did not return JSON; it returned: \(excerpt)"
        case .missingEnvironmentVariable(let tool, let variable, let context):
            return "Tool '\(tool)': \(context) uses ${\(variable)} but the environment variable \(variable) is not set; export it before the run."
        case .hostNotAllowed(let tool, let url, let allowed):
            return "Tool '\(tool)': the request to \(url) goes to a host not in allowed_hosts (\(allowed.joined(separator: ", ")))."
        case .invalidURL(let tool, let url):
            return "Tool '\(tool)': \(url) is not a valid http(s) URL after filling in the arguments."
        case .httpTransport(let tool, let url, let message):
            return "Tool '\(tool)': the request to \(url) failed: \(message)."
        case .responseTooLarge(let tool, let url, let limit):
            return "Tool '\(tool)': the response from \(url) is larger than the limit of \(formatBytes(limit)) and was stopped there; ask for less (a narrower query, a smaller page)."
        case .pathTraversal(let tool, let url):
            return "Tool '\(tool)': the arguments make \(url) contain a `.` or `..` path segment, which would change the path the tool may call; pass a name, not a relative path."
        case .httpStatus(let tool, let url, let status, let bodyExcerpt):
            return "Tool '\(tool)': \(url) answered with HTTP status \(status)\(bodyExcerpt.isEmpty ? "" : ": \(bodyExcerpt)")."
        case .mcpServerFailed(let server, let target, let message):
            return "MCP server '\(server)' (\(target)) failed: \(message)."
        case .mcpToolMissing(let tool, let server, let remoteName, let available):
            return "Tool '\(tool)': MCP server '\(server)' has no tool '\(remoteName)'; it lists: \(available.joined(separator: ", "))."
        case .mcpCallFailed(let tool, let server, let target, let message):
            return "Tool '\(tool)': the call to MCP server '\(server)' (\(target)) failed: \(message)."
        case .mcpToolReportedError(let tool, let server, let message):
            return "Tool '\(tool)' on MCP server '\(server)' reported an error: \(message)"
        }
    }
}

func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}

/// `4 MiB`, `512 KiB`, `300 bytes`: a byte limit as people write it.
func formatBytes(_ bytes: Int) -> String {
    if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
    if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
    return "\(bytes) bytes"
}

/// The last `limit` characters of `text`, trimmed, with a marker when cut.
func tail(_ text: String, limit: Int = 400) -> String {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard trimmed.count > limit else { return trimmed }
    return "…" + trimmed.suffix(limit)
}

/// The first `limit` characters of `text`, trimmed, with a marker when cut.
func excerpt(_ text: String, limit: Int = 200) -> String {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard trimmed.count > limit else { return trimmed }
    return trimmed.prefix(limit) + "…"
}
