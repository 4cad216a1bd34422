import ArborSchema
import ArborSpec

/// Why a cassette or a case's setup failed (problems in test definitions come back as
/// located ``SpecDiagnostic``s in ``TestSuite/diagnostics``). Each case says where (file,
/// line and column, a JSON pointer, a command) and what to do about it.
public enum TestingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A cassette file exists but cannot be read.
    case unreadableCassette(path: String, reason: String)
    /// A cassette file is not in the cassette format.
    case invalidCassette(path: String, pointer: JSONPointer, message: String)
    /// A cassette could not be written while recording.
    case cassetteNotWritten(path: String, reason: String)
    /// A tool takes its parameter schema from an MCP server, and no cassette holds it.
    case missingServerSchema(tool: String, cassette: String)
    /// The executor failed before the run produced an answer.
    case executionFailed(testCase: String, message: String)
    /// The program of a `command:` assertion could not be started.
    case commandNotStarted(command: String, message: String)

    public var description: String {
        switch self {
        case let .unreadableCassette(path, reason):
            return "The cassette \(path) cannot be read: \(reason). Check its permissions, or delete it and run `arbor test --record`."
        case let .invalidCassette(path, pointer, message):
            return "The cassette \(path) is not valid at \(pointer.displayString): \(message). Re-record it with `arbor test --record`."
        case let .cassetteNotWritten(path, reason):
            return "The cassette \(path) could not be written: \(reason). Check that its folder is writable."
        case let .missingServerSchema(tool, cassette):
            return "Tool '\(tool)' takes its parameters from its MCP server, and the cassette \(cassette) does not hold them; "
                + "run `arbor test --record` once with the server available."
        case let .executionFailed(testCase, message):
            return "The run of \(testCase) failed: \(message)"
        case let .commandNotStarted(command, message):
            return "The assertion command \(command) could not be started: \(message). Check that the program exists."
        }
    }
}
