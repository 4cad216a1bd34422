import ArborServer
import ArborStore
import ArgumentParser
import Dispatch
import Foundation
import MCP

/// `arbor mcp [FOLDER|SPEC...]`: serves workflows as MCP tools over standard input and output.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve workflows as MCP tools (one tool per workflow) over stdio, or streamable HTTP with --http.",
        discussion: """
            Each workflow becomes a tool whose inputSchema is the workflow's inputs and whose \
            outputSchema is its answer's schema. A call runs the workflow like `arbor run` and is \
            recorded in the run database (`arbor runs` lists it); calls run one at a time. \
            Standard output carries only MCP messages; the server's own lines go to standard error. \
            The server ends when its client closes standard input, or on SIGINT/SIGTERM; a run still \
            going is stopped with its record committed, resumable with `arbor resume`.
            """)

    @Argument(help: "Workflow files, or folders whose workflow files to serve (default: ./Workflows if it exists, else the current folder).")
    var paths: [String] = []

    @Option(name: .long, help: "The GGUF model for every workflow (default: each workflow's model.file, else models/SmolLM2-135M-Instruct.Q4_1.gguf or ARBOR_MODEL).")
    var model: String?

    @Option(name: .long, help: "Kernel threads per run.")
    var threads: Int = 2

    @Option(name: .customLong("max-tokens"), help: "Most tokens a run writes per round, for every workflow (default: each workflow's limits.max_tokens).")
    var maxTokens: Int?

    @Flag(name: .long, help: "Serve over MCP's streamable HTTP at http://127.0.0.1:PORT/mcp instead of standard input and output.")
    var http = false

    @Option(name: .long, help: "The port for --http (0: any free port; the address is printed on standard error).")
    var port: Int?

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var numerics: NumericsOption

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1.") }
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1.") }
        if port != nil, !http { throw ValidationError("--port needs --http (over stdio there is no port).") }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be from 0 to 65535.") }
    }

    func run() async throws {
        numerics.apply()
        let searched = paths.isEmpty ? [Self.defaultFolder] : paths
        let tools: [WorkflowTool]
        do {
            tools = try WorkflowCatalog.load(searched)
        } catch {
            FileHandle.standardError.write(Data("arbor mcp: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let store = try database.openOrCreate()
        let server = WorkflowServer(tools: tools, configuration: .init(store: store, modelPath: model, threads: threads,
                                                                       maxTokens: maxTokens))
        let signals = ShutdownSignals { await server.shutdown() }
        let names = tools.map(\.name).joined(separator: ", ")
        if http {
            try await StreamableHTTPServer(workflows: server).run(port: port ?? Self.defaultPort) { bound in
                FileHandle.standardError.write(Data("arbor mcp: serving \(names) at http://127.0.0.1:\(bound)/mcp; runs recorded in \(store.path)\n".utf8))
            }
        } else {
            FileHandle.standardError.write(Data("arbor mcp: serving \(names) over stdio; runs recorded in \(store.path)\n".utf8))
            try await server.serve(on: StdioTransport())
        }
        withExtendedLifetime(signals) {}
    }

    static let defaultPort = 8765

    static var defaultFolder: String {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: "Workflows", isDirectory: &isDirectory) && isDirectory.boolValue ? "Workflows" : "."
    }
}

/// SIGINT and SIGTERM stop the server the way a closed connection does: the run in progress
/// stops between two tokens with its record committed, then the process exits.
final class ShutdownSignals {
    private let sources: [any DispatchSourceSignal]

    init(shutdown: @escaping @Sendable () async -> Void) {
        sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                Task {
                    await shutdown()
                    FileHandle.standardError.write(Data("arbor mcp: stopped; any run in progress is saved and can be resumed (`arbor runs` lists it)\n".utf8))
                    exit(130)
                }
            }
            source.resume()
            return source
        }
    }
}
