/// A plain-text table with a header row, columns two spaces apart, numbers right-aligned.
///
/// ```swift
/// var table = TextTable([.init("ID"), .init("TOKENS", alignment: .right)])
/// table.append(["r-7f3k2q", "4,000"])
/// print(table.rendered(), terminator: "")
/// ```
public struct TextTable: Sendable, Equatable {
    public enum Alignment: Sendable, Equatable { case left, right }

    public struct Column: Sendable, Equatable {
        public var title: String
        public var alignment: Alignment

        public init(_ title: String, alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }
    }

    public var columns: [Column]
    public private(set) var rows: [[String]] = []

    public init(_ columns: [Column]) {
        self.columns = columns
    }

    /// Adds a row; it must have one cell per column.
    public mutating func append(_ cells: [String]) {
        precondition(cells.count == columns.count, "a table row needs one cell per column")
        rows.append(cells)
    }

    /// The header and the rows, each line ending in a newline, without trailing spaces.
    public func rendered() -> String {
        let lines = [columns.map(\.title)] + rows
        let widths = columns.indices.map { column in lines.map { $0[column].count }.max() ?? 0 }
        var output = ""
        for line in lines {
            let cells = columns.indices.map { column -> String in
                let padding = String(repeating: " ", count: widths[column] - line[column].count)
                return columns[column].alignment == .right ? padding + line[column] : line[column] + padding
            }
            output += String(cells.joined(separator: "  ").reversed().drop(while: { $0 == " " }).reversed()) + "\n"
        }
        return output
    }
}
