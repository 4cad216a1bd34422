import ArborSpec
import ArgumentParser
import Foundation

/// `arbor validate FILE...`: checks workflow files and reports every problem with its location.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check workflow files and report every problem as FILE:LINE:COLUMN.",
        discussion: "Exits with 0 when every file is valid (warnings allowed) and 1 otherwise."
    )

    @Flag(name: .long, help: "Print the diagnostics as a JSON array of {file, line, column, severity, message, hint}.")
    var json = false

    @Argument(help: "The workflow YAML files to check.")
    var files: [String]

    func run() throws {
        let report = ValidationReport(files: files)
        print(json ? report.json : report.text, terminator: "")
        if !report.isValid { throw ExitCode(1) }
    }
}
