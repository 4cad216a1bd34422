import ArborStore
import ArgumentParser
import Foundation

/// `arbor inspect RUN_ID`: one run in full.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a run: its header, reasoning tree, tool calls, rounds, token statistics and KV snapshots.",
        discussion: """
            RUN_ID may be the start of an id when only one run begins with it. The text cuts long \
            fields to one line; --json prints everything in full. `arbor runs` lists the ids.
            """)

    @Argument(help: "The run's id, or a unique start of it (see `arbor runs`).")
    var runID: String

    @OptionGroup var database: DatabaseOptions

    @Flag(name: .long, help: "Print one JSON object with the header, tree, tool calls, rounds, tokens and KV snapshots.")
    var json = false

    func validate() throws {
        if runID.isEmpty { throw ValidationError("RUN_ID is empty; `arbor runs` lists the stored runs.") }
    }

    func run() throws {
        let store = try database.openExisting()
        let details = try database.reportingStoreErrors { () throws -> RunDetails? in
            let resolution = try store.resolveRunID(runID)
            guard case let .found(id) = resolution else {
                let problem = resolution.problem(databasePath: store.path, runsCommand: database.runsCommand) ?? ""
                FileHandle.standardError.write(Data((problem + "\n").utf8))
                return nil
            }
            return try store.loadRun(id: id)
        }
        guard let details else { throw ExitCode(1) }
        print(json ? RunDetailsReport.json(details) : RunDetailsReport.text(details, now: Date()), terminator: "")
    }
}
