import ArborSchema

/// The built-in tools that work over a folder of documents: full-text search and paged reading.
///
/// Unlike the other built-ins they need one setting, the folder, so a workflow writes
/// `root:` beside `builtin:`; a relative root is taken from the current directory, as command
/// tools' paths are. Both tools of a workflow with the same root share one index, so an id
/// that `search_documents` returns is one `read_document` accepts.
///
/// ```yaml
/// tools:
///   - name: search
///     builtin: search_documents
///     root: Examples/research-corpus
///   - name: read
///     builtin: read_document
///     root: Examples/research-corpus
/// ```
public enum DocumentBuiltin: String, Codable, Sendable, CaseIterable {
    /// Ranked full-text search (SQLite FTS5, BM25) over the Markdown, text and HTML files under the root.
    case searchDocuments = "search_documents"
    /// A bounded slice of one document's text, by the id a search returned.
    case readDocument = "read_document"

    /// The most characters one `read_document` call returns; the next call starts at `next_offset`.
    public static let pageCharacters = 1200
    /// The most results one search returns.
    public static let maximumResults = 10

    /// What the model is told the tool does.
    public var summary: String {
        switch self {
        case .searchDocuments:
            return "Search the documents for words; returns the best matches, each with its id, title, path and a snippet."
        case .readDocument:
            return "Read a document by the id a search returned; long documents come in pages (pass next_offset as offset)."
        }
    }

    /// The form of a document id: eight lowercase hex digits, derived from the document's path.
    public static let idPattern = "^[0-9a-f]{8}$"

    /// The parameter schema, in the same Pydantic form the shorthand produces.
    public var parametersSchema: JSONValue {
        let title = ShorthandCompiler.pascalCase(rawValue) + "Parameters"
        var compiler = ShorthandCompiler()
        let fields: JSONObject
        switch self {
        case .searchDocuments:
            fields = ["query": ["type": "str", "min_length": 1, "max_length": 200, "description": "Words to look for, such as: tea origin China"],
                      "limit": ["type": .string("int[1,\(Self.maximumResults)]"), "default": 4, "description": "How many results at most"]]
        case .readDocument:
            fields = ["id": ["type": "str", "pattern": .string(Self.idPattern), "description": "The id of a search result"],
                      "offset": ["type": "int[0,100000000]", "default": 0, "description": "Where to start, in characters"]]
        }
        return compiler.compileModel(fields, title: title, at: .root)
    }
}

/// A document built-in bound to its folder.
public struct DocumentToolBinding: Codable, Sendable, Equatable {
    public var builtin: DocumentBuiltin
    /// The folder as written in the workflow; relative paths are taken from the current directory.
    public var root: String

    public init(_ builtin: DocumentBuiltin, root: String) {
        self.builtin = builtin
        self.root = root
    }
}
