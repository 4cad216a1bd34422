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
            abstract: "Print the JSON Schema of a workflow's output (or inputs, or a tool's parameters), compiled from its shorthand.")

        @Flag(name: .long, help: "Print the schema of the workflow's inputs instead of its output.")
        var inputs = false

        @Option(name: .long, help: "Print the parameter schema of the tool with this name instead of the output.")
        var tool: String?

        @Argument(help: "The workflow YAML file.")
        var spec: String

        func validate() throws {
            if inputs, tool != nil { throw ValidationError("Give --inputs or --tool, not both.") }
        }

        func run() throws {
            let part: SchemaTool.Part = inputs ? .inputs : tool.map { .toolParameters($0) } ?? .output
            try emit(SchemaTool.show(specPath: spec, part: part))
        }
    }
}

private func emit(_ outcome: SchemaTool.Outcome) throws {
    print(outcome.output, terminator: "")
    FileHandle.standardError.write(Data(outcome.errors.utf8))
    if !outcome.success { throw ExitCode(1) }
}
