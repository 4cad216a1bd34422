import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The folder a document tool may read, and the one place that decides what lies inside it.
///
/// Every path is resolved with `realpath(3)` (symbolic links and `..` followed to the end)
/// and must then lie under the root's own resolved path. A link inside the folder that
/// points outside it, a stored path with `..` in it, or a file swapped for such a link after
/// it was indexed are all refused, when listing and again when reading.
struct DocumentRoot: Sendable {
    /// The root as the workflow wrote it, for messages.
    let written: String
    /// The root with every link resolved.
    let resolved: String

    /// Limits that keep a walk over a large or odd folder bounded.
    static let maximumFiles = 20_000
    static let maximumFileBytes = 4 << 20
    static let maximumDepth = 32

    init(_ path: String, tool: String) throws(ToolError) {
        written = path
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var isDirectory: ObjCBool = false
        guard let real = Self.realPath(absolute), FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory) else {
            throw .builtinFailed(tool: tool, message: "the document folder \(path) does not exist (a relative root is taken from \(FileManager.default.currentDirectoryPath))")
        }
        guard isDirectory.boolValue else {
            throw .builtinFailed(tool: tool, message: "the document root \(path) is a file, not a folder")
        }
        resolved = real
    }

    static func realPath(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// The resolved absolute path of `relative`, or nil when it does not exist or resolves
    /// outside the root.
    func contained(_ relative: String) -> String? {
        guard !relative.hasPrefix("/"), let real = Self.realPath(resolved + "/" + relative) else { return nil }
        return real.hasPrefix(resolved + "/") ? real : nil
    }

    /// One document file found under the root.
    struct Entry: Equatable {
        /// Relative to the root, `/`-separated: the document's stable name.
        var path: String
        var kind: DocumentText.Kind
        var modified: Double
        var size: Int64
    }

    /// Every document file under the root, sorted by path. Hidden files and folders are
    /// skipped; a linked file counts when it resolves inside the root, a linked folder is
    /// never entered (it could lead outside or round in a cycle); files over
    /// ``maximumFileBytes`` are skipped. At most ``maximumFiles`` entries.
    func listDocuments() -> [Entry] {
        var entries: [Entry] = []
        walk("", depth: 0, into: &entries)
        return entries.sorted { $0.path < $1.path }
    }

    private func walk(_ folder: String, depth: Int, into entries: inout [Entry]) {
        guard depth <= Self.maximumDepth,
              let names = try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? resolved : resolved + "/" + folder) else { return }
        for name in names.sorted() where !name.hasPrefix(".") {
            guard entries.count < Self.maximumFiles else { return }
            let relative = folder.isEmpty ? name : folder + "/" + name
            var status = stat()
            guard lstat(resolved + "/" + relative, &status) == 0 else { continue }
            let type = status.st_mode & S_IFMT
            if type == S_IFDIR {
                walk(relative, depth: depth + 1, into: &entries)
                continue
            }
            guard type == S_IFREG || type == S_IFLNK, let kind = DocumentText.Kind(fileName: name) else { continue }
            if type == S_IFLNK {
                // Follow the link only to a regular file inside the root.
                guard let target = contained(relative), stat(target, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
            }
            guard status.st_size <= Self.maximumFileBytes else { continue }
            #if canImport(Darwin)
            let modified = Double(status.st_mtimespec.tv_sec) + Double(status.st_mtimespec.tv_nsec) / 1e9
            #else
            let modified = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
            #endif
            entries.append(Entry(path: relative, kind: kind, modified: modified, size: Int64(status.st_size)))
        }
    }
}
