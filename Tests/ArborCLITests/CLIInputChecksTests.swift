import ArborStoreTestSupport
import Foundation
import XCTest

/// Bad option values and paths get one clear sentence from the built `arbor`, never a
/// Foundation error dump or a silent success.
final class CLIInputChecksTests: XCTestCase {
    private var sandbox: URL!

    override func setUpWithError() throws {
        sandbox = try makeTemporaryDirectory(self)
    }

    private func arbor(_ arguments: String...) throws -> CLIFixtures.Outcome {
        try CLIFixtures.run(arguments, sandbox: sandbox, directory: sandbox)
    }

    private static let workflow = """
        arbor: 1
        name: echo
        inputs:
          question: str
        instructions: Answer {{question}}
        output:
          answer: str
        """

    func testAFolderGivenAsAFileIsNamedAsSuch() throws {
        let folder = sandbox.appendingPathComponent("folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.workflow.write(to: sandbox.appendingPathComponent("echo.yaml"), atomically: true, encoding: .utf8)
        let run = try arbor("run", "echo.yaml", "--inputs-file", folder.path, "--no-record")
        XCTAssertEqual(run.status, 64, run.stderr)
        XCTAssertTrue(run.stderr.contains("--inputs-file \(folder.path) is a directory; give the path of a file."), run.stderr)
        XCTAssertFalse(run.stderr.contains("NSCocoaErrorDomain"), run.stderr)
        let generate = try arbor("generate", "--prompt-file", folder.path)
        XCTAssertEqual(generate.status, 64, generate.stderr)
        XCTAssertTrue(generate.stderr.contains("--prompt-file \(folder.path) is a directory; give the path of a file."), generate.stderr)
        let missing = try arbor("generate", "--prompt-file", "absent.txt")
        XCTAssertTrue(missing.stderr.contains("--prompt-file absent.txt: there is no such file."), missing.stderr)
    }

    func testSamplingNumbersOutsideTheirRangeAreRefused() throws {
        try Self.workflow.write(to: sandbox.appendingPathComponent("echo.yaml"), atomically: true, encoding: .utf8)
        for value in ["nan", "inf", "-1"] {
            let outcome = try arbor("run", "echo.yaml", "--input", "question=x", "--temp", value, "--no-record")
            XCTAssertEqual(outcome.status, 64, outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains("--temp must be a finite number of 0 or more (0 is greedy)"), "\(value): \(outcome.stderr)")
            let generate = try arbor("generate", "--prompt", "hi", "--temp", value)
            XCTAssertTrue(generate.stderr.contains("--temp must be a finite number of 0 or more"), "\(value): \(generate.stderr)")
        }
        let penalty = try arbor("run", "echo.yaml", "--input", "question=x", "--repeat-penalty", "0", "--no-record")
        XCTAssertEqual(penalty.status, 64, penalty.stderr)
        XCTAssertTrue(penalty.stderr.contains("--repeat-penalty must be a finite number above 0 (1 is no penalty), not 0.0."), penalty.stderr)
    }

    func testAnUnknownToolBenchModeIsRefusedWithTheKnownOnes() throws {
        let outcome = try arbor("bench", "tools", "0", "--modes", "arbor,agent")
        XCTAssertEqual(outcome.status, 64, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("--modes: unknown mode 'agent'; use one or more of arbor, arbor-no-prune, agent-loop, comma-separated."),
                      outcome.stderr)
        let none = try arbor("bench", "tools", "0", "--modes", ",")
        XCTAssertEqual(none.status, 64, none.stderr)
        XCTAssertTrue(none.stderr.contains("--modes: name at least one mode"), none.stderr)
    }

    func testArborTestOnAFolderWithoutWorkflowsFails() throws {
        let empty = sandbox.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try "not: a workflow\n".write(to: empty.appendingPathComponent("notes.yaml"), atomically: true, encoding: .utf8)
        let outcome = try arbor("test", empty.path)
        XCTAssertEqual(outcome.status, 1, outcome.stdout + outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("arbor test: no workflow in \(empty.path)"), outcome.stderr)
    }

    func testGenerateParsesSpecialTokensLikeTokenize() throws {
        let prompt = "<|im_start|>user\nHi<|im_end|>"
        func promptIDs(_ extra: String...) throws -> [Int] {
            let outcome = try CLIFixtures.run(["generate", "--prompt", prompt, "-n", "0", "--json"] + extra, sandbox: sandbox, directory: sandbox)
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
            return try XCTUnwrap(object["prompt_ids"] as? [Int])
        }
        func tokenized(_ extra: String...) throws -> [Int] {
            let outcome = try CLIFixtures.run(["tokenize", "--add-special"] + extra + [prompt], sandbox: sandbox, directory: sandbox)
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [Int])
        }
        let parsed = try promptIDs()
        XCTAssertEqual(parsed, try tokenized())
        XCTAssertEqual(parsed.first, 1, "<|im_start|> is one special token")
        let plain = try promptIDs("--no-special")
        XCTAssertEqual(plain, try tokenized("--no-special"))
        XCTAssertGreaterThan(plain.count, parsed.count)
    }
}
