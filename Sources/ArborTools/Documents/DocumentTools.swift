import ArborSchema
import ArborSpec
import Foundation

/// `search_documents` and `read_document`: ArborSpec's ``DocumentBuiltin``s over one folder's index.
///
/// ```swift
/// let index = try DocumentIndex(root: "Examples/research-corpus", indexPath: nil, tool: "search")
/// let search = DocumentTool(.searchDocuments, index: index)
/// try await search.call(arguments: ["query": "tea", "limit": 2])
/// // {"results": [{"id": "…", "title": "…", "path": "…", "snippet": "…"}, …]}
/// ```
public struct DocumentTool: ArborTool {
    public let builtin: DocumentBuiltin
    public let name: String
    public let description: String
    public let index: DocumentIndex
    public var parametersSchema: JSONValue { builtin.parametersSchema }
    /// The first call may index the whole folder.
    public var timeoutSeconds: Double { 60 }

    public init(_ builtin: DocumentBuiltin, index: DocumentIndex, name: String? = nil, description: String? = nil) {
        self.builtin = builtin
        self.index = index
        self.name = name ?? builtin.rawValue
        self.description = description.flatMap { $0.isEmpty ? nil : $0 } ?? builtin.summary
    }

    public func call(arguments: JSONValue) async throws -> JSONValue {
        switch builtin {
        case .searchDocuments:
            guard let query = arguments["query"]?.stringValue else {
                throw ToolError.builtinFailed(tool: name, message: "the argument 'query' must be a string")
            }
            let limit = Int(arguments["limit"]?.integerValue ?? 4)
            let hits = try index.search(query, limit: min(limit, DocumentBuiltin.maximumResults))
            let results: [JSONValue] = hits.map {
                ["id": .string($0.id), "title": .string($0.title), "path": .string($0.path), "snippet": .string($0.snippet)]
            }
            guard !results.isEmpty else { return ["results": [], "note": "no document contains these words; try other words"] }
            return ["results": .array(results)]
        case .readDocument:
            guard let id = arguments["id"]?.stringValue else {
                throw ToolError.builtinFailed(tool: name, message: "the argument 'id' must be a string")
            }
            let page = try index.read(id: id, offset: Int(arguments["offset"]?.integerValue ?? 0), length: DocumentBuiltin.pageCharacters)
            return ["id": .string(page.id), "title": .string(page.title), "path": .string(page.path), "text": .string(page.text),
                    "offset": .integer(Int64(page.offset)), "next_offset": page.nextOffset.map { .integer(Int64($0)) } ?? .null,
                    "total_characters": .integer(Int64(page.totalCharacters))]
        }
    }
}

extension DocumentTool {
    /// The tool a workflow declares, sharing one index with every other document tool over
    /// the same folder (so `read_document` knows the ids `search_documents` returned); the
    /// index file is the cache file of ``DocumentIndexLocation``.
    init(_ binding: DocumentToolBinding, name: String, description: String, sharing indexes: inout [String: DocumentIndex],
         environment: [String: String]) throws(ToolError) {
        let resolved = try DocumentRoot(binding.root, tool: name).resolved
        let index: DocumentIndex
        if let shared = indexes[resolved] {
            index = shared
        } else {
            index = try DocumentIndex(root: binding.root, indexPath: DocumentIndexLocation.indexPath(forResolvedRoot: resolved, environment: environment),
                                      tool: name)
            indexes[resolved] = index
        }
        self.init(binding.builtin, index: index, name: name, description: description)
    }
}
