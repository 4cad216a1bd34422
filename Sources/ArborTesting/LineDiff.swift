/// A line diff of two texts for failure reports: unchanged lines start with two spaces,
/// lines only in `expected` with `- `, lines only in `actual` with `+ `.
///
/// ```swift
/// LineDiff.render(expected: "a\nb", actual: "a\nc")   // "  a\n- b\n+ c"
/// ```
public enum LineDiff {
    /// Longer texts are shown whole, expected then actual, instead of diffed (the table is
    /// quadratic in the number of lines).
    static let maximumLines = 2_000

    public static func render(expected: String, actual: String) -> String {
        let old = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let new = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard old.count * new.count <= maximumLines * maximumLines / 4, old.count <= maximumLines, new.count <= maximumLines else {
            return (old.map { "- " + $0 } + new.map { "+ " + $0 }).joined(separator: "\n")
        }
        // common[i][j]: length of the longest common subsequence of old[i...] and new[j...].
        var common = Array(repeating: Array(repeating: 0, count: new.count + 1), count: old.count + 1)
        for i in stride(from: old.count - 1, through: 0, by: -1) {
            for j in stride(from: new.count - 1, through: 0, by: -1) {
                common[i][j] = old[i] == new[j] ? common[i + 1][j + 1] + 1 : max(common[i + 1][j], common[i][j + 1])
            }
        }
        var lines: [String] = []
        var i = 0, j = 0
        while i < old.count || j < new.count {
            if i < old.count, j < new.count, old[i] == new[j] {
                lines.append("  " + old[i]); i += 1; j += 1
            } else if i < old.count, j == new.count || common[i + 1][j] >= common[i][j + 1] {
                lines.append("- " + old[i]); i += 1
            } else {
                lines.append("+ " + new[j]); j += 1
            }
        }
        return lines.joined(separator: "\n")
    }
}
