import ArborBench
import Foundation
import XCTest

/// `arbor bench model --llama-bench PATH`: reading llama-bench's Markdown table and running it.
final class LlamaBenchComparisonTests: XCTestCase {
    /// llama-bench's output on this machine kind (build 0c1e570), one thread count per table.
    static let output = """
        | model                          |       size |     params | backend    | threads |            test |                  t/s |
        | ------------------------------ | ---------: | ---------: | ---------- | ------: | --------------: | -------------------: |
        | qwen2 1B Q4_K - Medium         | 462.96 MiB |   630.17 M | CPU        |       2 |           pp512 |       167.65 ± 25.17 |
        | qwen2 1B Q4_K - Medium         | 462.96 MiB |   630.17 M | CPU        |       2 |           tg128 |         38.43 ± 0.88 |
        | qwen2 1B Q4_K - Medium         | 462.96 MiB |   630.17 M | CPU        |       1 |           tg128 |         21.00 ± 0.10 |

        build: 0c1e570 (1)
        """

    func testParseKeepsTheRowsOfTheRequestedThreadCount() {
        XCTAssertEqual(LlamaBenchComparison.parse(markdown: Self.output, threads: 2), ["pp512": 167.65, "tg128": 38.43])
        XCTAssertEqual(LlamaBenchComparison.parse(markdown: Self.output, threads: 1), ["tg128": 21.00])
        XCTAssertEqual(LlamaBenchComparison.parse(markdown: Self.output, threads: 4), [:])
    }

    func testTableGivesArborOverLlamaCppAndMarksTestsLlamaDidNotRun() {
        let table = LlamaBenchComparison.table(arbor: [("pp512", 335.3, 2), ("pp2048", 100, 1)], llama: ["pp512": 167.65])
        XCTAssertTrue(table.contains("| pp512 | 167.65 | 335.30 ± 2.00 | 2.00x |"), table)
        XCTAssertTrue(table.contains("| pp2048 | not measured | 100.00 ± 1.00 | n/a |"), table)
    }

    func testRunStartsTheBinaryWithTheSameSettingsAndReadsItsTable() throws {
        // A stand-in llama-bench: records its arguments, prints the table above.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llama-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = dir.appendingPathComponent("table.md"), args = dir.appendingPathComponent("args")
        try Self.output.write(to: table, atomically: true, encoding: .utf8)
        let script = dir.appendingPathComponent("llama-bench")
        try "#!/bin/sh\necho \"$@\" > '\(args.path)'\ncat '\(table.path)'\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)

        let rows = try LlamaBenchComparison.run(executable: script.path, model: "m.gguf", threads: 2,
                                                promptLengths: [512, 0], generateLengths: [128], repetitions: 3)
        XCTAssertEqual(rows, ["pp512": 167.65, "tg128": 38.43])
        XCTAssertEqual(try String(contentsOf: args, encoding: .utf8), "-m m.gguf -t 2 -p 512 -n 128 -r 3 -o md\n")
    }

    func testAMissingBinaryIsAClearError() {
        XCTAssertThrowsError(try LlamaBenchComparison.run(executable: "/nonexistent/llama-bench", model: "m.gguf", threads: 2,
                                                          promptLengths: [512], generateLengths: [128], repetitions: 1)) { error in
            XCTAssertTrue("\(error)".contains("could not start llama-bench at /nonexistent/llama-bench"), "\(error)")
        }
    }
}
