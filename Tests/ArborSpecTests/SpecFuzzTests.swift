import ArborFuzzSupport
import ArborSpec
import XCTest

/// The workflow loader on mutated workflow files (YAML → JSON → spec → checks): every input
/// loads or gets located diagnostics; none crashes, hangs or runs away with memory.
final class SpecFuzzTests: XCTestCase {
    static let dictionary: [[UInt8]] = [
        "&a ", "*a", "<<: *a\n", "!!str ", "!!binary ", "!!python/object ", "---\n", "...\n", "? ", ": ", "- ", "|\n  ", ">-\n  ", "{", "}",
        "[", "]", "\"", "'", "#", "%YAML 1.2\n", "\t", "\\u0000", "{{question}}", "${HOME}", "Literal[\"a\\n\"]", "list[", "Optional[",
        "int[0,", "dict[str, ", "types:\n  A: list[A]\n", "tools:\n  - name: t\n    builtin: calculator\n", "limits: {max_tokens: 0}\n",
        "a: &x [*x]\n", "k: &b [&c [1], *c, *c]\n", "\u{FEFF}", "\u{85}", "\u{2028}", "~", "null", "0x", "1e", ".inf", "-.nan",
    ].map { Array($0.utf8) }

    func testMutatedWorkflowFilesGiveAWorkflowOrLocatedDiagnostics() {
        let seeds = FuzzSeeds.files(under: "Workflows", endingWith: [".yaml"])
            + FuzzSeeds.files(under: "Tests/ArborRuntimeTests/Fixtures", endingWith: [".yaml"])
            + [Array(HostileYAMLTests.aliasBomb.utf8)]
        XCTAssertGreaterThan(seeds.count, 5)
        let mutator = Mutator(seeds: seeds, dictionary: Self.dictionary,
                              nesting: [(Array("[".utf8), Array("]".utf8)), (Array("{a: ".utf8), Array("}".utf8)), (Array("- ".utf8), [])])
        let report = FuzzDriver.run("yaml-spec", mutator: mutator, iterations: FuzzDriver.iterations("yaml-spec", default: 300)) { input in
            let text = String(decoding: input, as: UTF8.self)
            let (workflow, diagnostics) = WorkflowLoader.load(text: text, file: "fuzz.yaml")
            if workflow != nil { return .accepted }
            // Lines as YAML counts them: LF, CR, CRLF, NEL, LS and PS all end one.
            let lines = text.replacingOccurrences(of: "\r\n", with: "\n").unicodeScalars
                .filter { ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"].contains($0) }.count + 2
            guard let first = diagnostics.first(where: { $0.severity == .error }) else { return .unclear("rejected without an error") }
            for diagnostic in diagnostics where diagnostic.message.isEmpty || diagnostic.line < 1 || diagnostic.column < 1 || diagnostic.line > lines {
                return .unclear("\(diagnostic) is empty or outside the file (\(lines) lines)")
            }
            return first.message.isEmpty ? .unclear("empty message") : .rejected
        }
        XCTAssertEqual(report.unclearCount, 0, report.unclear.map { "\($0.reason): \(String(decoding: $0.input.prefix(300), as: UTF8.self))" }.joined(separator: "\n"))
        XCTAssertGreaterThan(report.accepted, 0, "some damage is harmless")
        XCTAssertGreaterThan(report.rejected, report.iterations / 10, "most damage is noticed")
    }
}
