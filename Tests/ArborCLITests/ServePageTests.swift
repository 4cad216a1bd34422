import Foundation
import XCTest

/// `arbor serve`'s page in headless Chromium (scripts/page_check.py over the DevTools
/// protocol), watching a run that a separate `arbor run` process writes: it appears in the
/// list, its tree grows on the page, the answer shows; the screenshot is kept as an artefact and
/// the commit-to-page latency is measured and printed.
final class ServePageTests: XCTestCase {
    private let problem = "problem=First compute 12 * 7. Then add 5 to that result. Then divide the sum by 3."

    /// Where the screenshot is kept: `$ARBOR_TEST_ARTIFACTS`, else `.build/test-artifacts`.
    static var artifactsFolder: URL {
        ProcessInfo.processInfo.environment["ARBOR_TEST_ARTIFACTS"].map { URL(fileURLWithPath: $0) }
            ?? CLIFixtures.packageRoot.appendingPathComponent(".build/test-artifacts")
    }

    func testARunFromAnotherProcessAppearsAndItsTreeGrowsInChromium() throws {
        try CLIFixtures.requireModel()
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") else {
            XCTFail("No /usr/bin/chromium; run scripts/setup.sh (make test does), which installs Debian's chromium.")
            throw XCTSkip("chromium missing")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-page-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("runs.sqlite").path
        let (_, base) = try ServeCommandTests.startServer(database: database, testCase: self)
        _ = try ServeCommandTests.curl(base + "/api/runs")  // the server creates the database first

        try FileManager.default.createDirectory(at: Self.artifactsFolder, withIntermediateDirectories: true)
        let screenshot = Self.artifactsFolder.appendingPathComponent("arbor-serve-run.png").path
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        browser.arguments = ["python3", CLIFixtures.packageRoot.appendingPathComponent("scripts/page_check.py").path,
                             "--url", base, "--screenshot", screenshot]
        let out = Pipe()
        browser.standardOutput = out
        try browser.run()
        addTeardownBlock { if browser.isRunning { browser.terminate() } }

        var printed = ""
        func readUntil(_ marker: String) {
            while !printed.contains(marker) {
                let data = out.fileHandleForReading.availableData
                if data.isEmpty { return }
                printed += String(decoding: data, as: UTF8.self)
            }
        }
        readUntil("READY")
        XCTAssertTrue(printed.contains("READY"), "the page never opened: \(printed)")

        // the demo's workflow: several tasks, each with a calculator call, so the tree visibly grows
        let workflow = CLIFixtures.packageRoot.appendingPathComponent("Workflows/math-solver.yaml").path
        let run = CLIFixtures.arborProcess(["run", workflow, "--input", problem, "--db", database, "--quiet"])
        run.standardOutput = FileHandle.nullDevice
        run.standardError = FileHandle.nullDevice
        try run.run()
        addTeardownBlock { if run.isRunning { run.terminate() } }
        readUntil("RESULT ")
        while let data = Optional(out.fileHandleForReading.availableData), !data.isEmpty {
            printed += String(decoding: data, as: UTF8.self)
        }
        browser.waitUntilExit()
        run.waitUntilExit()
        print(printed)
        let line = try XCTUnwrap(printed.split(separator: "\n").first { $0.hasPrefix("RESULT ") }, printed)
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.dropFirst(7).utf8)) as? [String: Any])
        // tasks, tool calls and conclusions on the page while the run was still going
        let counts = result["itemCounts"] as? [Int] ?? []
        XCTAssertGreaterThanOrEqual(Set(counts.filter { $0 > 0 }).count, 2, "the tree grew while the page watched: \(counts)")
        XCTAssertEqual(counts, counts.sorted(), "and never lost an item: \(counts)")
        XCTAssertGreaterThan(result["nodes"] as? Int ?? 0, 0)
        XCTAssertEqual(result["status"] as? String, "completed")
        XCTAssertEqual(result["answer"] as? Bool, true, "the answer is shown")
        if (result["prunedEvents"] as? Int ?? 0) > 0 {
            XCTAssertGreaterThan(result["prunedNodes"] as? Int ?? 0, 0, "a pruned subtree is greyed")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: screenshot), "screenshot saved as a test artefact")
        let p50 = try XCTUnwrap(result["latencyP50ms"] as? Double, "no latency was measured: \(line)")
        print(String(format: "arbor serve: commit-to-page latency p50 %.0f ms over %d events (target ≤ 300 ms); screenshot %@",
                     p50, result["latencySamples"] as? Int ?? 0, screenshot))
        XCTAssertLessThanOrEqual(p50, 300, "commit-to-page latency p50")
    }
}
