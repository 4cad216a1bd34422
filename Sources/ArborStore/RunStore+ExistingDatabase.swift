import Foundation

extension RunStore {
    /// Opens a run database that must already exist, for commands that only read runs.
    ///
    /// ``init(path:durability:)`` creates a missing file (and its directory) and turns an
    /// empty file into a new database: right for `arbor run`, wrong for `arbor runs` and
    /// `arbor inspect`, which would otherwise leave a fresh database behind a typo in `--db`
    /// and report "no runs". This refuses a missing file, a missing directory, a directory
    /// and an empty file with a ``StoreError`` that names the path, leaving the disk as it
    /// was; anything else is checked like ``init(path:durability:)`` and opened read-only, so
    /// a database the user may not write is read as it is (one from an older Arbor is
    /// upgraded first, which needs write access).
    ///
    /// ```swift
    /// let store = try RunStore.openExisting(path: DatabaseLocation.default())
    /// let newest = try store.listRuns(limit: 10)
    /// ```
    public static func openExisting(path: String) throws -> RunStore {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: path, isDirectory: &isDirectory) else {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty, !files.fileExists(atPath: directory) {
                throw StoreError.cannotOpen(
                    path: path,
                    detail: "its directory \(directory) does not exist, so no run has been stored there "
                        + "(`arbor run` creates the database on its first run; --db or ARBOR_DB reads another)")
            }
            throw StoreError.cannotOpen(
                path: path,
                detail: "there is no such file, so no run has been stored there "
                    + "(`arbor run` creates the database on its first run; --db or ARBOR_DB reads another)")
        }
        if isDirectory.boolValue {
            throw StoreError.cannotOpen(path: path, detail: "it is a directory; give the path of the database file inside it")
        }
        let size = (try? files.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        if size == 0 {
            throw StoreError.notADatabase(path: path, detail: "the file is empty (0 bytes), so it holds no runs")
        }
        // An up-to-date database is only read; an older one is upgraded first when it may be
        // written (reading it as it is would fail on the columns it lacks).
        do {
            return try RunStore(readingExisting: path)
        } catch is NeedsUpgrade {
            guard files.isWritableFile(atPath: path) else {
                throw StoreError.cannotOpen(path: path, detail: "it was written by an older Arbor and must be upgraded before it can be read, "
                                            + "which needs write access to the file; make it writable and run `arbor runs` once")
            }
            return try RunStore(path: path)
        }
    }
}
