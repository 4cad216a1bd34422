import Foundation

/// Where the run database lives when the user does not pass `--db`.
///
/// The order is `$ARBOR_DB`, then `$XDG_DATA_HOME/arbor/arbor.sqlite`, then
/// `~/.local/share/arbor/arbor.sqlite` (the XDG default). One database per user keeps
/// `arbor runs` meaningful across working directories.
///
/// ```swift
/// let store = try RunStore(path: DatabaseLocation.default())
/// ```
public enum DatabaseLocation {
    /// The default database path for this process's environment.
    public static func `default`(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        if let explicit = environment["ARBOR_DB"], !explicit.isEmpty {
            return explicit
        }
        if let dataHome = environment["XDG_DATA_HOME"], !dataHome.isEmpty {
            return (dataHome as NSString).appendingPathComponent("arbor/arbor.sqlite")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".local/share/arbor/arbor.sqlite")
    }
}
