import Foundation

/// Where the document built-ins keep their index: a cache file per root, outside the folder.
///
/// `$ARBOR_CACHE_DIR`, else `$XDG_CACHE_HOME/arbor`, else `~/.cache/arbor`, then
/// `documents/<hash of the root's resolved path>.sqlite`. The folder is never written to, so
/// a read-only corpus (a mounted share, a checkout owned by someone else) works; a cache that
/// cannot be written makes the index live in memory for the run instead.
public enum DocumentIndexLocation {
    public static func cacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["ARBOR_CACHE_DIR"], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/arbor" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.cache/arbor"
    }

    /// The index file of the folder whose resolved path is `resolvedRoot`.
    public static func indexPath(forResolvedRoot resolvedRoot: String,
                                 environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let name = DocumentIndex.documentID(path: resolvedRoot) + DocumentIndex.documentID(path: "root:" + resolvedRoot)
        return cacheDirectory(environment: environment) + "/documents/\(name).sqlite"
    }
}
