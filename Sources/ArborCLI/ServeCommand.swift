import ArborWeb
import ArgumentParser
import Foundation

/// `arbor serve`: a local web page of the runs in a database and their reasoning trees, live.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a web page (and a JSON/SSE API) that shows the runs and their reasoning trees live.",
        discussion: """
            Runs written by other processes (`arbor run` in a terminal) appear as they are committed. \
            Binding to anything but 127.0.0.1 needs a token (--token or $ARBOR_TOKEN), sent as \
            `Authorization: Bearer <token>` or ?token=<token>.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The port to listen on (0 picks a free one and prints it).")
    var port: Int = 8080

    @Option(help: "The interface to listen on; anything but 127.0.0.1 needs a token.")
    var host: String = "127.0.0.1"

    @Option(help: "The token every request must carry (default: $ARBOR_TOKEN).")
    var token: String?

    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp(
        "Workflow files or folders the page can start runs of (default: ./Workflows when it exists).",
        discussion: "A folder stands for its *.yaml files (*.test.yaml aside). Runs started from the page run as child `arbor run` processes on the same database."))
    var workflows: [String] = []

    func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535.") }
    }

    func run() async throws {
        let token = self.token ?? ProcessInfo.processInfo.environment["ARBOR_TOKEN"]
        let server: WebServer
        do {
            let offered = workflows.isEmpty && FileManager.default.fileExists(atPath: "Workflows") ? ["Workflows"] : workflows
            server = try WebServer(configuration: .init(databasePath: database.path, host: host, port: port, token: token,
                                                        workflowPaths: offered, arborExecutable: Bundle.main.executablePath))
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
        let host = self.host, database = self.database.path
        try await server.run { port in
            let query = token.map { "?token=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? ""
            // unbuffered: whoever started the server (a script, a test) reads the port at once
            FileHandle.standardOutput.write(Data("arbor serve: http://\(host):\(port)/\(query) (database \(database))\n".utf8))
        }
    }
}
