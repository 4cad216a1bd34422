@testable import ArborTools
import ArborSpec
import Foundation
import GRDB
import XCTest

final class DocumentIndexTests: XCTestCase {
    func testTheLinkedSQLiteHasFTS5() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE VIRTUAL TABLE probe USING fts5(body, tokenize = 'porter unicode61')")
            try db.execute(sql: "INSERT INTO probe (body) VALUES ('lighthouses are tall')")
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM probe WHERE probe MATCH 'lighthouse'"), 1)
        }
    }

    func testSearchRanksMatchesAndReadReturnsTheTextWithoutMarkup() throws {
        let corpus = try DocumentCorpusFixture()
        defer { corpus.remove() }
        let index = try DocumentIndex(root: corpus.root, indexPath: corpus.indexPath, tool: "search")
        XCTAssertEqual(index.indexPath, corpus.indexPath)

        let hits = try index.search("How tall is the lighthouse?", limit: 3)
        XCTAssertEqual(hits.first?.path, "lighthouse.html")
        XCTAssertEqual(hits.first?.title, "Carrow Point Lighthouse")
        XCTAssertEqual(hits.first?.id, DocumentIndex.documentID(path: "lighthouse.html"))
        XCTAssertTrue(hits.first?.snippet.contains("31 metres") ?? false, "\(hits)")

        let oxidise = try index.search("oxidise", limit: 5)
        XCTAssertEqual(Set(oxidise.map(\.path)), ["tea/black.txt", "tea/green.md"], "porter stemming matches oxidised too")
        XCTAssertEqual(oxidise.first { $0.path == "tea/green.md" }?.title, "Green tea")
        XCTAssertEqual(oxidise.first { $0.path == "tea/black.txt" }?.title, "Black tea")
        XCTAssertEqual(try index.search("tea", limit: 1).count, 1, "the limit bounds the results")
        for hidden in ["scriptword", "commentword", "hiddenword", "true"] {
            XCTAssertEqual(try index.search(hidden, limit: 5), [], "\(hidden) is not document text")
        }

        let page = try index.read(id: DocumentIndex.documentID(path: "lighthouse.html"), offset: 0, length: 1000)
        XCTAssertEqual(page.text, "The lighthouse\nThe tower is 31 metres tall & white.")
        XCTAssertNil(page.nextOffset)
        XCTAssertEqual(page.totalCharacters, page.text.count)
    }

    func testQueriesAreWordsNeverFTSSyntax() throws {
        let corpus = try DocumentCorpusFixture()
        defer { corpus.remove() }
        let index = try DocumentIndex(root: corpus.root, indexPath: nil, tool: "search")
        XCTAssertEqual(DocumentIndex.matchExpression(for: #"green "tea" -NEAR( tea*"#), #""green" OR "tea" OR "near""#)
        XCTAssertEqual(try index.search(#"green" AND -(tea"#, limit: 2).first?.path, "tea/green.md")
        XCTAssertThrowsError(try index.search("?! --", limit: 2)) { error in
            XCTAssertEqual(error as? ToolError, .builtinFailed(tool: "search", message: "the query has no words to search for; write a few words"))
        }
    }

    func testIndexFollowsAddedChangedAndRemovedFiles() throws {
        let corpus = try DocumentCorpusFixture()
        defer { corpus.remove() }
        let index = try DocumentIndex(root: corpus.root, indexPath: corpus.indexPath, tool: "search")
        XCTAssertEqual(try index.refresh(), .init(added: 3, updated: 0, removed: 0, total: 3))
        XCTAssertEqual(try index.refresh(), .init(added: 0, updated: 0, removed: 0, total: 3), "nothing changed")

        try corpus.write("tea/oolong.md", "# Oolong\n\nOolong is partly oxidised.\n")
        try corpus.write("tea/green.md", "# Green tea\n\nMatcha is a powdered green tea.\n")
        try FileManager.default.removeItem(atPath: corpus.root + "/tea/black.txt")
        XCTAssertEqual(try index.refresh(), .init(added: 1, updated: 1, removed: 1, total: 3))
        XCTAssertEqual(try index.search("oxidised", limit: 5).map(\.path), ["tea/oolong.md"])
        XCTAssertEqual(try index.search("matcha", limit: 5).map(\.path), ["tea/green.md"])

        // A second process (a fresh index on the same cache file) starts from what is stored.
        let reopened = try DocumentIndex(root: corpus.root, indexPath: corpus.indexPath, tool: "search")
        XCTAssertEqual(try reopened.refresh(), .init(added: 0, updated: 0, removed: 0, total: 3))
    }

    func testIDsDependOnlyOnThePathUnderTheRoot() throws {
        let corpus = try DocumentCorpusFixture()
        defer { corpus.remove() }
        let first = try DocumentIndex(root: corpus.root, indexPath: corpus.indexPath, tool: "search")
        let inMemory = try DocumentIndex(root: corpus.root + "/../corpus", indexPath: nil, tool: "search")
        let ids = try first.search("tea lighthouse", limit: 10).map(\.id).sorted()
        XCTAssertEqual(ids.count, 3)
        XCTAssertEqual(try inMemory.search("tea lighthouse", limit: 10).map(\.id).sorted(), ids)
        XCTAssertTrue(ids.allSatisfy { $0.range(of: DocumentBuiltin.idPattern, options: .regularExpression) != nil }, "\(ids)")
        XCTAssertEqual(DocumentIndex.documentID(path: "tea/green.md"), DocumentIndex.documentID(path: "tea/green.md"))
        XCTAssertNotEqual(DocumentIndex.documentID(path: "tea/green.md"), DocumentIndex.documentID(path: "tea/black.txt"))
    }

    func testReadPagesCoverTheDocumentOnceAndEndAtWords() throws {
        let words = (1...600).map { "word\($0)" }
        let corpus = try DocumentCorpusFixture(files: ["long.txt": words.joined(separator: " ")])
        defer { corpus.remove() }
        let index = try DocumentIndex(root: corpus.root, indexPath: nil, tool: "read")
        let id = DocumentIndex.documentID(path: "long.txt")
        var text = "", offset: Int? = 0, pages = 0
        while let start = offset {
            let page = try index.read(id: id, offset: start, length: 1200)
            XCTAssertLessThanOrEqual(page.text.count, 1200)
            XCTAssertEqual(page.offset, start)
            if page.nextOffset != nil { XCTAssertTrue(page.text.hasSuffix(" "), "a page ends after a word") }
            text += page.text
            offset = page.nextOffset
            pages += 1
        }
        XCTAssertEqual(text, words.joined(separator: " "))
        XCTAssertEqual(pages, 4, "4,490 characters in pages of at most 1,200")
        XCTAssertEqual(try index.read(id: id, offset: 999_999, length: 1200).text, "", "past the end is empty, not an error")
        XCTAssertThrowsError(try index.read(id: "00000000", offset: 0, length: 10)) { error in
            XCTAssertTrue("\(error)".contains("there is no document with id 00000000"), "\(error)")
        }
    }
}
