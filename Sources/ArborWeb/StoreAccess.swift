import ArborStore
import Foundation

/// The database `arbor serve` reads, opened on first use and again after a failure, so that
/// a damaged or missing file is an error on each request (the server stays up) and the page
/// works again once the file is fixed, without a restart.
final class StoreAccess: @unchecked Sendable {
    let path: String
    private let lock = NSLock()
    private var opened: RunStore?
    private var watcher: CommitWatcher?

    init(path: String) {
        self.path = path
    }

    /// The open store; throws the ``StoreError`` that says what is wrong with the file.
    func store() throws -> RunStore {
        lock.lock()
        defer { lock.unlock() }
        if let opened { return opened }
        let store = try RunStore(path: path)
        opened = store
        return store
    }

    /// Whether anyone committed since the last call (true after the database first opens).
    func committedSinceLastLook() throws -> Bool {
        _ = try store()
        lock.lock()
        defer { lock.unlock() }
        if watcher == nil { watcher = try CommitWatcher(path: path) }
        do {
            return try watcher!.changed()
        } catch {
            // the file was replaced or damaged under us: open it afresh next time
            watcher = nil
            opened = nil
            throw error
        }
    }
}
