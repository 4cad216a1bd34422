import Foundation
import GRDB

extension DocumentIndex {
    /// The words of a query, each quoted for FTS5 and joined by OR: what the model writes is
    /// never parsed as FTS5 syntax (a stray `"` or `-` cannot make the query invalid), and a
    /// document needs only some of the words; BM25 ranks the ones with more, and rarer, first.
    static func matchExpression(for query: String) -> String? {
        let words = query.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }).prefix(16)
        guard !words.isEmpty else { return nil }
        var seen = Set<Substring>()
        return words.filter { seen.insert($0).inserted }.map { "\"\($0)\"" }.joined(separator: " OR ")
    }

    /// The `limit` best matches for `query` (title matches weigh five times body matches).
    public func search(_ query: String, limit: Int) throws(ToolError) -> [Hit] {
        guard let expression = Self.matchExpression(for: query) else {
            throw .builtinFailed(tool: toolName, message: "the query has no words to search for; write a few words")
        }
        try refresh()
        do {
            return try database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT file.id, file.path, file.title, snippet(passage, 1, '', '', '…', 16) AS snippet
                    FROM passage JOIN file ON file.rowid = passage.rowid
                    WHERE passage MATCH ?
                    ORDER BY bm25(passage, 5.0, 1.0), file.path
                    LIMIT ?
                    """, arguments: [expression, max(1, limit)])
                .map { row in
                    Hit(id: row["id"], path: row["path"], title: row["title"],
                        snippet: HTMLText.collapse(row["snippet"]))
                }
            }
        } catch {
            throw .builtinFailed(tool: toolName, message: "the search failed: \(error)")
        }
    }

    /// The page of the document `id` starting `offset` characters into its text, at most
    /// `length` characters, ending at a word boundary where one is near.
    public func read(id: String, offset: Int, length: Int) throws(ToolError) -> Page {
        try refresh()
        let row: Row?
        do {
            row = try database.read { db in try Row.fetchOne(db, sql: "SELECT path, title FROM file WHERE id = ?", arguments: [id]) }
        } catch {
            throw .builtinFailed(tool: toolName, message: "cannot read the document index: \(error)")
        }
        guard let row else {
            throw .builtinFailed(tool: toolName, message: "there is no document with id \(id) under \(root.written); use an id from a search result")
        }
        let path: String = row["path"]
        guard let kind = DocumentText.Kind(fileName: path), let real = root.contained(path) else {
            throw .builtinFailed(tool: toolName, message: "the document \(path) is not inside \(root.written)")
        }
        guard let data = FileManager.default.contents(atPath: real) else {
            throw .builtinFailed(tool: toolName, message: "cannot read the document \(path)")
        }
        let document = DocumentText(data: data, kind: kind, fileName: path)
        let characters = Array(document.body)
        let start = min(max(0, offset), characters.count)
        var end = min(characters.count, start + max(1, length))
        if end < characters.count, let space = characters[start..<end].lastIndex(where: { $0.isWhitespace }), space > start + length / 2 {
            end = space + 1
        }
        return Page(id: id, path: path, title: document.title, text: String(characters[start..<end]), offset: start,
                    nextOffset: end < characters.count ? end : nil, totalCharacters: characters.count)
    }
}
