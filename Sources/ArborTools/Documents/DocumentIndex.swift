import ArborSpec
import Foundation
import GRDB

/// A full-text index (SQLite FTS5, ranked by BM25) of the documents under one folder.
///
/// It is built on first use and brought up to date before every search or read: files whose
/// modification time or size changed are read again, new ones added, removed ones dropped.
/// Each document has a stable id, eight hex digits derived from its path under the root, so
/// an id stays the same when the index is rebuilt or copied to another machine.
///
/// The index lives in a cache file (see ``DocumentIndexLocation``), never inside the folder,
/// which may be read-only; where no cache file can be written it is kept in memory.
///
/// ```swift
/// let index = try DocumentIndex.shared(root: "Examples/research-corpus", tool: "search")
/// let hits = try index.search("green tea oxidation", limit: 3)   // [DocumentIndex.Hit]
/// let page = try index.read(id: hits[0].id, offset: 0)           // DocumentIndex.Page
/// ```
public final class DocumentIndex: Sendable {
    /// One search result.
    public struct Hit: Sendable, Equatable {
        public var id: String
        public var path: String
        public var title: String
        public var snippet: String
    }

    /// A slice of one document's text.
    public struct Page: Sendable, Equatable {
        public var id: String
        public var path: String
        public var title: String
        public var text: String
        /// Offsets count characters of the document's text (HTML without its markup).
        public var offset: Int
        /// Where the next page starts; nil on the last page.
        public var nextOffset: Int?
        public var totalCharacters: Int
    }

    let root: DocumentRoot
    let database: DatabaseQueue
    /// The cache file, or nil when the index is kept in memory.
    public let indexPath: String?
    let toolName: String

    /// Opens (or creates) the index of `root` at `indexPath`; with nil, or when that file
    /// cannot be created, the index is kept in memory for this process.
    public init(root: String, indexPath: String?, tool: String) throws(ToolError) {
        self.root = try DocumentRoot(root, tool: tool)
        toolName = tool
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        var opened: (DatabaseQueue, String?)?
        if let indexPath {
            do {
                try FileManager.default.createDirectory(atPath: (indexPath as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                let queue = try DatabaseQueue(path: indexPath, configuration: configuration)
                try Self.migrate(queue, root: self.root.resolved)
                opened = (queue, indexPath)
            } catch {
                opened = nil   // an unwritable cache: fall back to memory below
            }
        }
        do {
            if opened == nil {
                let queue = try DatabaseQueue(configuration: configuration)
                try Self.migrate(queue, root: self.root.resolved)
                opened = (queue, nil)
            }
        } catch {
            throw .builtinFailed(tool: tool, message: "cannot create the document index: \(error)")
        }
        (database, self.indexPath) = opened!
    }

    private static func migrate(_ queue: DatabaseQueue, root: String) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-files-passages") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE file (
                    rowid INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    path TEXT NOT NULL UNIQUE,
                    title TEXT NOT NULL,
                    modified REAL NOT NULL,
                    size INTEGER NOT NULL);
                CREATE VIRTUAL TABLE passage USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2');
                """)
        }
        try migrator.migrate(queue)
        try queue.write { db in
            // A cache file named after another root (a hash collision, a moved cache) starts over.
            let recorded = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'root'")
            if recorded != root {
                try db.execute(sql: "DELETE FROM file; DELETE FROM passage;")
                try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('root', ?)", arguments: [root])
            }
        }
    }

    /// The stable id of the document at `path` (relative to the root): FNV-1a of the path,
    /// folded to 32 bits, as eight hex digits.
    public static func documentID(path: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let folded = UInt32(truncatingIfNeeded: hash ^ (hash >> 32))
        let hex = String(folded, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// What ``refresh()`` changed.
    public struct RefreshSummary: Sendable, Equatable {
        public var added = 0, updated = 0, removed = 0, total = 0
    }

    /// Brings the index up to date with the folder; cheap when nothing changed (one walk and
    /// one query).
    @discardableResult
    public func refresh() throws(ToolError) -> RefreshSummary {
        let entries = root.listDocuments()
        do {
            return try database.write { db in
                var known: [String: (rowid: Int64, modified: Double, size: Int64)] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT rowid, path, modified, size FROM file") {
                    known[row["path"]] = (row["rowid"], row["modified"], row["size"])
                }
                var summary = RefreshSummary(total: entries.count)
                var seen = Set<String>()
                for entry in entries {
                    seen.insert(entry.path)
                    if let old = known[entry.path], old.modified == entry.modified, old.size == entry.size { continue }
                    guard let real = root.contained(entry.path), let data = FileManager.default.contents(atPath: real) else { continue }
                    let text = DocumentText(data: data, kind: entry.kind, fileName: entry.path)
                    if let old = known[entry.path] {
                        try db.execute(sql: "DELETE FROM passage WHERE rowid = ?", arguments: [old.rowid])
                        try db.execute(sql: "UPDATE file SET title = ?, modified = ?, size = ? WHERE rowid = ?",
                                       arguments: [text.title, entry.modified, entry.size, old.rowid])
                        try db.execute(sql: "INSERT INTO passage (rowid, title, body) VALUES (?, ?, ?)", arguments: [old.rowid, text.title, text.body])
                        summary.updated += 1
                    } else {
                        try db.execute(sql: "INSERT INTO file (id, path, title, modified, size) VALUES (?, ?, ?, ?, ?)",
                                       arguments: [try uniqueID(for: entry.path, in: db), entry.path, text.title, entry.modified, entry.size])
                        try db.execute(sql: "INSERT INTO passage (rowid, title, body) VALUES (?, ?, ?)",
                                       arguments: [db.lastInsertedRowID, text.title, text.body])
                        summary.added += 1
                    }
                }
                for (path, old) in known where !seen.contains(path) {
                    try db.execute(sql: "DELETE FROM passage WHERE rowid = ?", arguments: [old.rowid])
                    try db.execute(sql: "DELETE FROM file WHERE rowid = ?", arguments: [old.rowid])
                    summary.removed += 1
                }
                return summary
            }
        } catch {
            throw .builtinFailed(tool: toolName, message: "cannot update the document index: \(error)")
        }
    }

    /// The path's id, or (in the rare case two paths share it) the first free id derived
    /// from the path with a counter appended.
    private func uniqueID(for path: String, in db: Database) throws -> String {
        var candidate = Self.documentID(path: path)
        var attempt = 1
        while try Bool.fetchOne(db, sql: "SELECT 1 FROM file WHERE id = ?", arguments: [candidate]) == true {
            candidate = Self.documentID(path: path + "#\(attempt)")
            attempt += 1
        }
        return candidate
    }
}
