@testable import ArborTools
import ArborSpec
import Foundation
import GRDB
import XCTest

/// Paths never leave the root: not through links, not through `..`, not through a file
/// swapped for a link after it was indexed; and the root itself is never written to.
final class DocumentContainmentTests: XCTestCase {
    func testLinksThatLeaveTheRootAreNeitherIndexedNorRead() throws {
        let corpus = try DocumentCorpusFixture()
        defer { corpus.remove() }
        let files = FileManager.default
        try files.createSymbolicLink(atPath: corpus.root + "/leak.md", withDestinationPath: corpus.outside + "/secret.md")
        try files.createSymbolicLink(atPath: corpus.root + "/relative-leak.md", withDestinationPath: "../outside/secret.md")
        try files.createSymbolicLink(atPath: corpus.root + "/outside-folder", withDestinationPath: corpus.outside)
        try files.createSymbolicLink(atPath: corpus.root + "/loop", withDestinationPath: corpus.root)
        try files.createSymbolicLink(atPath: corpus.root + "/green-alias.md", withDestinationPath: "tea/green.md")

        let index = try DocumentIndex(root: corpus.root, indexPath: corpus.indexPath, tool: "search")
        XCTAssertEqual(index.root.listDocuments().map(\.path), ["green-alias.md", "lighthouse.html", "tea/black.txt", "tea/green.md"],
                       "a link to a file inside the root counts; links out of it and linked folders do not")
        XCTAssertEqual(try index.search("swordfish launch code", limit: 10), [])
        for path in ["leak.md", "relative-leak.md", "outside-folder/secret.md"] {
            XCTAssertThrowsError(try index.read(id: DocumentIndex.documentID(path: path), offset: 0, length: 100), path)
        }
    }

    func testAStoredPathWithDotDotIsRefused() throws {
        let corpus = try DocumentCorpusFixture()
        defer { corpus.remove() }
        let index = try DocumentIndex(root: corpus.root, indexPath: corpus.indexPath, tool: "read")
        try index.refresh()
        // A tampered (or corrupted) cache file that names a path outside the root.
        let queue = try DatabaseQueue(path: corpus.indexPath)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO file (id, path, title, modified, size) VALUES ('deadbeef', '../outside/secret.md', 'x', 0, 0)")
        }
        XCTAssertNil(index.root.contained("../outside/secret.md"))
        XCTAssertNil(index.root.contained(corpus.outside + "/secret.md"), "absolute paths are refused too")
        XCTAssertNotNil(index.root.contained("tea/../tea/green.md"), "`..` that stays inside is fine")
        XCTAssertThrowsError(try index.read(id: "deadbeef", offset: 0, length: 100)) { error in
            XCTAssertFalse("\(error)".contains("swordfish"))
        }
    }

    func testAFileSwappedForALinkAfterIndexingIsNotRead() throws {
        let corpus = try DocumentCorpusFixture()
        defer { corpus.remove() }
        let index = try DocumentIndex(root: corpus.root, indexPath: nil, tool: "read")
        let id = DocumentIndex.documentID(path: "tea/green.md")
        XCTAssertTrue(try index.read(id: id, offset: 0, length: 200).text.contains("steamed"))
        try FileManager.default.removeItem(atPath: corpus.root + "/tea/green.md")
        try FileManager.default.createSymbolicLink(atPath: corpus.root + "/tea/green.md", withDestinationPath: corpus.outside + "/secret.md")
        XCTAssertThrowsError(try index.read(id: id, offset: 0, length: 200)) { error in
            XCTAssertFalse("\(error)".contains("swordfish"), "\(error)")
        }
    }

    func testTheRootIsNeverWrittenToAndAnUnwritableCacheFallsBackToMemory() throws {
        let corpus = try DocumentCorpusFixture()
        defer { corpus.remove() }
        func listing() throws -> [String] { try FileManager.default.subpathsOfDirectory(atPath: corpus.root).sorted() }
        let before = try listing()
        let cached = try DocumentIndex(root: corpus.root, indexPath: corpus.indexPath, tool: "search")
        XCTAssertFalse(try cached.search("tea", limit: 5).isEmpty)
        XCTAssertEqual(try listing(), before)
        XCTAssertTrue(FileManager.default.fileExists(atPath: corpus.indexPath))

        // A cache location that cannot be a folder (a regular file is in the way).
        let blocked = corpus.base.appendingPathComponent("blocked").path
        try "a file".write(toFile: blocked, atomically: true, encoding: .utf8)
        let inMemory = try DocumentIndex(root: corpus.root, indexPath: blocked + "/index.sqlite", tool: "search")
        XCTAssertNil(inMemory.indexPath)
        XCTAssertEqual(try inMemory.search("tea", limit: 5).count, 2)
        XCTAssertEqual(try listing(), before)
    }

    func testAMissingRootOrAFileAsRootIsAClearError() throws {
        let corpus = try DocumentCorpusFixture()
        defer { corpus.remove() }
        XCTAssertThrowsError(try DocumentIndex(root: corpus.root + "/nope", indexPath: nil, tool: "search")) { error in
            XCTAssertTrue("\(error)".hasPrefix("Tool 'search' failed: the document folder \(corpus.root)/nope does not exist"), "\(error)")
        }
        XCTAssertThrowsError(try DocumentIndex(root: corpus.root + "/tea/green.md", indexPath: nil, tool: "search")) { error in
            XCTAssertTrue("\(error)".contains("is a file, not a folder"), "\(error)")
        }
    }

    func testIndexLocationIsACacheFileOutsideTheRoot() {
        let environment = ["HOME": "/home/someone"]
        XCTAssertEqual(DocumentIndexLocation.cacheDirectory(environment: environment), "/home/someone/.cache/arbor")
        XCTAssertEqual(DocumentIndexLocation.cacheDirectory(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/h"]), "/c/arbor")
        XCTAssertEqual(DocumentIndexLocation.cacheDirectory(environment: ["ARBOR_CACHE_DIR": "/a", "XDG_CACHE_HOME": "/c"]), "/a")
        let path = DocumentIndexLocation.indexPath(forResolvedRoot: "/data/corpus", environment: environment)
        XCTAssertTrue(path.hasPrefix("/home/someone/.cache/arbor/documents/") && path.hasSuffix(".sqlite"), path)
        XCTAssertNotEqual(path, DocumentIndexLocation.indexPath(forResolvedRoot: "/data/other", environment: environment))
    }
}
