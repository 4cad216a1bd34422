import ArborSpec
import ArgumentParser
import Foundation

/// `arbor schema`: JSON Schema utilities.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Check JSON files against a JSON Schema, or show a workflow's output schema.",
        subcommands: [Check.self, Show.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate JSON files against a JSON Schema; exits 1 if any is invalid.")

        @Option(name: .long, help: "The JSON Schema file to validate against.")
        var schema: String

        @Argument(help: "The JSON files to validate.")
        var files: [String]

        func run() throws {
            try emit(SchemaTool.check(schemaPath: schema, instances: files))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the JSON Schema of a workflow's output, compiled from its shorthand.")

        @Argument(help: "The workflow YAML file.")
        var spec: String

        func run() throws {
            try emit(SchemaTool.show(specPath: spec))
        }
    }
}

private func emit(_ outcome: SchemaTool.Outcome) throws {
    print(outcome.output, terminator: "")
    FileHandle.standardError.write(Data(outcome.errors.utf8))
    if !outcome.success { throw ExitCode(1) }
}
