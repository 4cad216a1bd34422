import Foundation

/// llama.cpp's `llama-bench` run on the same model file, thread count, lengths and
/// repetitions as Arbor's own benchmark, in the same process run, so that the two figures
/// of a row were measured under the same machine load.
///
/// ```swift
/// let llama = try LlamaBenchComparison.run(executable: "/opt/llama.cpp/bin/llama-bench", model: path,
///                                          threads: 2, promptLengths: [512], generateLengths: [128], repetitions: 3)
/// print(LlamaBenchComparison.table(arbor: [("pp512", 400, 5)], llama: llama))
/// ```
public enum LlamaBenchComparison {
    /// Why llama-bench gave no figures.
    public enum Failure: Error, CustomStringConvertible {
        case launch(executable: String, reason: String)
        case exit(executable: String, status: Int32, output: String)
        case noRows(executable: String, output: String)

        public var description: String {
            switch self {
            case .launch(let executable, let reason):
                return "could not start llama-bench at \(executable): \(reason); pass the path of a built llama-bench binary"
            case .exit(let executable, let status, let output):
                return "\(executable) exited with status \(status):\n\(output.suffix(2000))"
            case .noRows(let executable, let output):
                return "\(executable) printed no pp/tg rows for this thread count:\n\(output.suffix(2000))"
            }
        }
    }

    /// Runs llama-bench (`-o md`) and returns tokens/s per test name (`pp512`, `tg128`).
    public static func run(executable: String, model: String, threads: Int, promptLengths: [Int],
                           generateLengths: [Int], repetitions: Int) throws -> [String: Double] {
        func list(_ lengths: [Int]) -> String {
            let kept = lengths.filter { $0 > 0 }
            return kept.isEmpty ? "0" : kept.map(String.init).joined(separator: ",")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-m", model, "-t", String(threads), "-p", list(promptLengths), "-n", list(generateLengths),
                             "-r", String(repetitions), "-o", "md"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw Failure.launch(executable: executable, reason: "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure.exit(executable: executable, status: process.terminationStatus, output: output)
        }
        let rows = parse(markdown: output, threads: threads)
        if rows.isEmpty { throw Failure.noRows(executable: executable, output: output) }
        return rows
    }

    /// The rows of a llama-bench Markdown table for `threads`: test name -> mean tokens/s.
    /// Columns are found by their headers (`threads`, `test`, `t/s`), which llama-bench keeps
    /// across versions while it adds and drops others.
    public static func parse(markdown: String, threads: Int) -> [String: Double] {
        var columns: (threads: Int, test: Int, rate: Int)?
        var rows: [String: Double] = [:]
        for line in markdown.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("|") else { continue }
            let cells = trimmed.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if let t = cells.firstIndex(of: "threads"), let test = cells.firstIndex(of: "test"), let rate = cells.firstIndex(of: "t/s") {
                columns = (t, test, rate)
                continue
            }
            guard let c = columns, cells.count > max(c.threads, c.test, c.rate),
                  Int(cells[c.threads]) == threads,
                  let mean = Double(cells[c.rate].split(separator: "±").first?.trimmingCharacters(in: .whitespaces) ?? "")
            else { continue }
            rows[cells[c.test]] = mean
        }
        return rows
    }

    /// Arbor's rows next to llama.cpp's, with the ratio Arbor / llama.cpp.
    public static func table(arbor: [(test: String, mean: Double, stddev: Double)], llama: [String: Double]) -> String {
        var lines = ["| test | llama.cpp t/s | Arbor t/s | Arbor / llama.cpp |", "| --- | ---: | ---: | ---: |"]
        for row in arbor {
            let base = llama[row.test]
            lines.append(String(format: "| %@ | %@ | %.2f ± %.2f | %@ |", row.test,
                                base.map { String(format: "%.2f", $0) } ?? "not measured", row.mean, row.stddev,
                                base.map { String(format: "%.2fx", row.mean / $0) } ?? "n/a"))
        }
        return lines.joined(separator: "\n")
    }
}
