import ArgumentParser
import Foundation

/// The options `arbor test` and `arbor eval` share: which model runs the cases, on how many
/// threads, and where the report goes.
struct CaseRunOptions: ParsableArguments {
    @Option(name: .long, help: "Path of the GGUF model (default: the workflow's model.file, else ARBOR_MODEL, else models/SmolLM2-135M-Instruct.Q4_1.gguf).")
    var model: String?

    @Option(name: .long, help: "Kernel threads per case (default: the cores divided among the jobs).")
    var threads: Int?

    @Flag(name: .long, help: "Print the report as JSON on standard output (the summary line goes to standard error).")
    var json = false

    @Option(name: .long, help: "Also write a JUnit XML report to this file (for GitHub Actions, GitLab, Jenkins).")
    var junit: String?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
    }

    /// The kernel threads of each of `jobs` cases running at once.
    func threads(jobs: Int) -> Int {
        threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount / jobs)
    }

    /// Writes `xml` to the `--junit` file when one is named; a file that cannot be written
    /// ends the command with status 1 and says why.
    func writeJUnit(_ xml: @autoclosure () -> String, command: String) throws {
        guard let junit else { return }
        do {
            try Data(xml().utf8).write(to: URL(fileURLWithPath: junit))
        } catch {
            FileHandle.standardError.write(Data("arbor \(command): cannot write the JUnit report to \(junit): \(error.localizedDescription)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Prints the report: JSON on standard output with the summary line on standard error,
    /// or the text.
    func print(json object: @autoclosure () -> String, text: @autoclosure () -> String, summaryLine: String) {
        if json {
            Swift.print(object())
            FileHandle.standardError.write(Data((summaryLine + "\n").utf8))
        } else {
            Swift.print(text(), terminator: "")
        }
    }
}
