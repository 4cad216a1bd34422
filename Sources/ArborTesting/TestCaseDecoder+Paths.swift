import Foundation

/// Where a test case may write: `arbor test --record` creates a case's cassette, so the path
/// written in the test must not lead out of the workflow's folder.
extension TestCaseDecoder {
    /// Whether `path`, with `.` and `..` resolved and symbolic links followed, lies below `folder`.
    static func isInside(_ path: String, folder: String) -> Bool {
        // Links are resolved in the deepest part of the path that exists (the rest is created
        // by `--record`, and cannot be a link yet).
        func absolute(_ path: String) -> String {
            let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + (path.isEmpty ? "." : path)
            var existing = URL(fileURLWithPath: full).standardizedFileURL
            var rest: [String] = []
            while !FileManager.default.fileExists(atPath: existing.path), existing.path != "/" {
                rest.insert(existing.lastPathComponent, at: 0)
                existing.deleteLastPathComponent()
            }
            return rest.reduce(existing.resolvingSymlinksInPath()) { $0.appendingPathComponent($1) }.path
        }
        let root = absolute(folder)
        let target = absolute(path)
        return target.hasPrefix(root == "/" ? root : root + "/")
    }
}
