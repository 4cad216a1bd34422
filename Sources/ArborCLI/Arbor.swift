import ArgumentParser

@main
struct Arbor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arbor",
        abstract: "A declarative workflow engine in which an LLM's reasoning tree is the program.",
        version: "0.1.0",
        // One subcommand per line, in the order `arbor --help` lists them.
        subcommands: [
            RunCommand.self,
            TestCommand.self,
            EvalCommand.self,
            ResumeCommand.self,
            ForkCommand.self,
            RunsCommand.self,
            InspectCommand.self,
            ValidateCommand.self,
            SchemaCommand.self,
            CompileCommand.self,
            TokenizeCommand.self,
            GenerateCommand.self,
            BenchCommand.self,
            MCPCommand.self,
        ]
    )
}
