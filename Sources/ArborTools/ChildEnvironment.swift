import ArborSpec
import Foundation

/// The environment a command tool or MCP stdio server starts with.
///
/// Arbor's own environment holds the secrets that headers read as `${TOKEN}`; a child process
/// should not see them unless the workflow hands them over by name (`env:`). So a child gets
/// only ``inherited`` variables, those a program needs to find itself and its files and to
/// speak the user's locale, plus the workflow's `env:` entries.
public enum ChildEnvironment {
    /// The variables copied from Arbor's environment when they are set.
    public static let inherited = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "TERM"]

    /// ``inherited`` from `parent`, then each entry of `entries` with `${VAR}` read from
    /// `lookup`; an unset variable goes to `missing`, which throws.
    static func make(parent: [String: String], entries: [HTTPHeader], lookup: [String: String],
                     missing: (String, String) throws(ToolError) -> Void) throws(ToolError) -> [String: String] {
        var environment: [String: String] = [:]
        for name in inherited { environment[name] = parent[name] }
        for entry in entries {
            environment[entry.name] = try expandEnvironment(entry.value, environment: lookup) { variable throws(ToolError) in
                try missing(entry.name, variable)
            }
        }
        return environment
    }
}
