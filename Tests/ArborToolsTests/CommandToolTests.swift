@testable import ArborTools
import ArborSchema
import ArborSpec
import Foundation
import XCTest

final class CommandToolTests: XCTestCase {
    private let schema: JSONValue = [
        "type": "object",
        "properties": ["mode": ["type": "string"], "seconds": ["type": "number"], "text": ["type": "string"]],
        "required": ["mode"],
    ]

    private func box(argv: [String] = [], timeout: Double = 30) throws -> ToolBox {
        let tool = CommandTool(name: "fixture", description: "The command fixture.", parametersSchema: schema,
                               template: CommandTemplate(argv: ["python3", Fixtures.path("command_tool.py")] + argv, timeoutSeconds: timeout))
        return try ToolBox(tools: [tool])
    }

    func testArgumentsGoOnStdinAndPlaceholdersBecomeSingleArguments() async throws {
        let tool = try box(argv: ["--text", "{{text}}", "{{missing}}"])
        let hostile = "a b; rm -rf / $(echo x) 'q' \"d\""
        let outcome = await tool.call("fixture", arguments: ["mode": "echo", "text": .string(hostile)])
        XCTAssertEqual(outcome.value?["received"], ["mode": "echo", "text": .string(hostile)])
        XCTAssertEqual(outcome.value?["argv"], ["--text", .string(hostile), "{{missing}}"])
    }

    func testNonZeroExitIsAnErrorOutcomeWithTheStderrTail() async throws {
        let outcome = try await box().call("fixture", arguments: ["mode": "fail"])
        let message = try XCTUnwrap(outcome.error?.description)
        XCTAssertTrue(message.hasPrefix("Tool 'fixture': the command python3 "), message)
        XCTAssertTrue(message.contains("command_tool.py exited with status 3 (stderr ends with: fixture: something went wrong on purpose)"), message)
        XCTAssertEqual(outcome.modelJSON, ["error": .string(message)])
    }

    func testTextOnStdoutIsANonJSONErrorOutcome() async throws {
        let outcome = try await box().call("fixture", arguments: ["mode": "garbage"])
        guard case .nonJSONOutput(let tool, let source, let shown)? = outcome.error else {
            return XCTFail("expected a non-JSON error, got \(outcome.result)")
        }
        XCTAssertEqual(tool, "fixture")
        XCTAssertTrue(source.contains("command_tool.py"))
        XCTAssertEqual(shown, "this is not JSON")
    }

    func testTimeoutKillsTheProcess() async throws {
        let outcome = try await box(timeout: 1).call("fixture", arguments: ["mode": "sleep", "seconds": 60])
        guard case .timedOut(let tool, let target, let seconds)? = outcome.error else {
            return XCTFail("expected a timeout, got \(outcome.result)")
        }
        XCTAssertEqual(tool, "fixture")
        XCTAssertEqual(seconds, 1)
        XCTAssertTrue(target.hasPrefix("command python3 "), target)
        // The child must be gone: no python3 process is still running the sleep fixture.
        var alive = true
        for _ in 0..<300 where alive {
            alive = Self.fixtureSleepersRunning()
            if alive { try await Task.sleep(nanoseconds: 10_000_000) }
        }
        XCTAssertFalse(alive, "the timed-out command is still running")
    }

    func testMissingProgramIsALaunchError() async throws {
        let tool = CommandTool(name: "ghost", description: "", parametersSchema: ["type": "object"],
                               template: CommandTemplate(argv: ["arbor-no-such-program-here"]))
        let outcome = try await ToolBox(tools: [tool]).call("ghost", arguments: [:])
        XCTAssertEqual(outcome.error?.description,
                       "Tool 'ghost' could not start the command arbor-no-such-program-here: 'arbor-no-such-program-here' was not found on PATH. Check that the program exists and is executable.")
    }

    /// Whether any process's command line runs command_tool.py with this test's pid as parent.
    private static func fixtureSleepersRunning() -> Bool {
        let me = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries where Int32(entry) != nil {
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[2]) == me, fields[0] != "Z" else { continue }
            let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(entry)/cmdline"))) ?? Data()
            if String(decoding: cmdline, as: UTF8.self).contains("command_tool.py") { return true }
        }
        return false
    }
}
