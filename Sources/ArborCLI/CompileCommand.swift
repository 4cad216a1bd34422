import ArborGrammar
import ArborRuntime
import ArborSchema
import ArborSpec
import ArgumentParser
import Foundation

/// `arbor compile`: the decoding grammar a workflow compiles to, or the schemas behind it.
struct CompileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Print the decoding grammar of a workflow's reasoning tree (GBNF) or its JSON Schemas.",
        discussion: """
            gbnf prints the grammar in llama.cpp's GBNF notation, so it can be compared with \
            llama.cpp's grammar support; the tool_result hole (filled by the runtime) and the \
            tool-call budget (counted by the matcher) appear as a generic rule and a comment. \
            tree-schema prints the same tree as a JSON Schema, for serving engines that take one; \
            output-schema prints the schema of the final answer. MCP tools whose parameters are \
            read from their server at run time show a permissive object schema here.
            """)

    enum Emit: String, ExpressibleByArgument, CaseIterable {
        case gbnf, treeSchema = "tree-schema", outputSchema = "output-schema"
    }

    enum Whitespace: String, ExpressibleByArgument, CaseIterable {
        case compact, bounded
    }

    @Argument(help: "The workflow YAML file.")
    var spec: String

    @Option(name: .long, help: "What to print: gbnf, tree-schema or output-schema.")
    var emit: Emit = .gbnf

    @Option(name: .long, help: "Whitespace inside tool parameters and the answer: compact (none) or bounded (at most 2 bytes at each place).")
    var whitespace: Whitespace = .compact

    @Flag(name: .long, help: "Compile the grammar of a summary round (ends with \"summary\" instead of \"answer\").")
    var summaryRound = false

    func run() async throws {
        let workflow: Workflow
        do {
            workflow = try WorkflowLoader.loadValid(path: spec)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
        let options = SchemaGrammarOptions(whitespace: whitespace == .compact ? .compact : .bounded(maximum: 2))
        let tree = try ReasoningTreeSpec(workflow: workflow, isSummaryRound: summaryRound, schemaOptions: options)
        switch emit {
        case .gbnf:
            print(try TreeGrammarBuilder.grammar(for: tree).grammar.gbnf, terminator: "")
        case .treeSchema:
            print(tree.treeSchema.prettyString)
        case .outputSchema:
            print(workflow.outputSchema.prettyString)
        }
    }
}
