import ArborStore
import ArgumentParser
import Foundation

/// `--db PATH`: the run database, by default `$ARBOR_DB` or the per-user data directory.
struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: "The run database (default: $ARBOR_DB, else ~/.local/share/arbor/arbor.sqlite).")
    var db: String?

    /// Opens the database, creating it and its directory when missing; a damaged or foreign
    /// file is an error that names it.
    func open() throws -> RunStore {
        let path = db ?? DatabaseLocation.default()
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        do {
            return try RunStore(path: path)
        } catch {
            FileHandle.standardError.write(Data("arbor: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
