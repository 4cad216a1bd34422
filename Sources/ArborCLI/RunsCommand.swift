import ArborStore
import ArgumentParser
import Foundation

/// `arbor runs`: the stored runs, newest first.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List the stored runs, newest first: id, workflow, status, progress and age.",
        discussion: """
            Progress is the run's logged tokens, recorded tool calls and summary rounds; age is \
            the time since the run started. `arbor inspect RUN_ID` shows one run in full.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "Show at most this many runs; 0 shows all.")
    var limit: Int = 20

    @Flag(name: .long, help: "Print a JSON array of {id, workflow, status, createdAt, updatedAt, tokens, toolCalls, rounds}.")
    var json = false

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must be 0 (all runs) or more.") }
    }

    func run() throws {
        let store = try database.openExisting()
        let (runs, total) = try database.reportingStoreErrors {
            (try store.listRuns(limit: limit == 0 ? nil : limit), try store.runCount())
        }
        if json {
            print(RunListReport.json(runs), terminator: "")
        } else {
            print(RunListReport.text(runs, total: total, databasePath: store.path, now: Date()), terminator: "")
        }
    }
}
