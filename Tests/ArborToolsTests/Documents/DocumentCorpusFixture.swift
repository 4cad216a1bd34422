import Foundation
import XCTest

/// A corpus written into a fresh temporary folder for one test, with a folder beside it
/// (outside the root) that the tests try to reach through links and `..`.
struct DocumentCorpusFixture {
    let base: URL
    var root: String { base.appendingPathComponent("corpus").path }
    var outside: String { base.appendingPathComponent("outside").path }
    var cache: String { base.appendingPathComponent("cache").path }
    var indexPath: String { cache + "/index.sqlite" }

    init(files: [String: String] = DocumentCorpusFixture.standardFiles) throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-documents-\(UUID().uuidString)")
        for folder in [root, outside] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        for (path, text) in files { try write(path, text) }
        try "The launch code is swordfish-42.".write(toFile: outside + "/secret.md", atomically: true, encoding: .utf8)
    }

    func write(_ relative: String, _ text: String) throws {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: base) }

    static let standardFiles: [String: String] = [
        "tea/green.md": "# Green tea\n\nGreen tea leaves are steamed or pan-fired soon after picking, so they are not oxidised.\n",
        "tea/black.txt": "Black tea\n\nBlack tea leaves are rolled and left to oxidise fully before they are dried.\n",
        "lighthouse.html": """
            <html><head><title>Carrow Point Lighthouse</title><style>p { color: red; }</style></head>
            <body><h1>The lighthouse</h1><p>The tower is <b>31&nbsp;metres</b> tall &amp; white.</p>
            <script>var hidden = "scriptword";</script><!-- commentword --></body></html>
            """,
        "notes/ignored.json": "{\"lighthouse\": true}",
        ".hidden/secret.md": "# Hidden\n\nhiddenword\n",
    ]
}
