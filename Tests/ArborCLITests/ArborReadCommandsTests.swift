import ArborStore
import ArborStoreTestSupport
import Foundation
import GRDB
import XCTest

/// `arbor runs` and `arbor inspect` run as the built binary against real database files.
final class ArborReadCommandsTests: XCTestCase {
    private var sandbox: URL!

    override func setUpWithError() throws {
        sandbox = try makeTemporaryDirectory(self)
    }

    /// A closed database file holding the inspected-run fixture and one newer run.
    private func makeDatabase() throws -> String {
        let path = sandbox.appendingPathComponent("runs/arbor.sqlite").path
        let store = try RunStore(path: path)
        try InspectedRunFixture.populate(store)
        try store.createRun(sampleRun(id: "r-later1", workflow: "qa", createdAt: InspectedRunFixture.base.addingTimeInterval(60)))
        return path
    }

    private func arbor(_ arguments: String..., environment: [String: String] = [:]) throws -> CLIFixtures.Outcome {
        try CLIFixtures.run(arguments, environment: environment, sandbox: sandbox)
    }

    func testRunsListsTheDatabaseNamedByDbOrByARBOR_DB() throws {
        let path = try makeDatabase()
        let listed = try arbor("runs", "--db", path)
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let lines = listed.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, listed.stdout)
        XCTAssertTrue(lines[0].hasPrefix("ID        WORKFLOW  STATUS   TOKENS  TOOL CALLS  ROUNDS  AGE"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("r-later1  qa        running       0           0       0  "), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("r-insp01  triage    paused       40           2       2  "), lines[2])
        XCTAssertTrue(lines[2].hasSuffix(" ago"), lines[2])

        let fromEnvironment = try arbor("runs", environment: ["ARBOR_DB": path])
        XCTAssertEqual(fromEnvironment.status, 0, fromEnvironment.stderr)
        XCTAssertEqual(fromEnvironment.stdout, listed.stdout)

        let limited = try arbor("runs", "--db", path, "--limit", "1", "--json")
        XCTAssertEqual(limited.status, 0, limited.stderr)
        let runs = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(limited.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(runs.map { $0["id"] as? String }, ["r-later1"])
    }

    func testInspectAcceptsAUniqueStartOfAnIdAndPrintsTextOrJSON() throws {
        let path = try makeDatabase()
        let text = try arbor("inspect", "r-insp", "--db", path)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.hasPrefix("run r-insp01 · triage · paused\n"), text.stdout)
        for section in ["tree (4 tasks: 1 open, 1 closed, 2 pruned)", "tool calls (2)", "rounds (2)",
                        "tokens  40 logged: 12 pruned (30.0 %), 28 kept", "kv rows 28 tokens kept, 27.3 KiB (a resume copies them back)"] {
            XCTAssertTrue(text.stdout.contains("\n\(section)\n"), "missing \(section) in\n\(text.stdout)")
        }
        let json = try arbor("inspect", "r-insp01", "--json", "--db", path)
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["id"] as? String, "r-insp01")
        XCTAssertEqual((object["tree"] as? [Any])?.count, 4)
        XCTAssertEqual(json.stdout, RunDetailsReport.json(try RunStore(path: path).loadRun(id: "r-insp01")),
                       "the binary prints the library's report")
    }

    func testInspectOfAnUnknownOrAmbiguousIdExitsOneAndSaysHowToFindIds() throws {
        let path = try makeDatabase()
        let unknown = try arbor("inspect", "r-nope", "--db", path)
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stdout, "")
        XCTAssertEqual(unknown.stderr, "No run r-nope in \(path). `arbor runs --db \(path)` lists the stored runs "
            + "(the newest: r-later1, r-insp01); the start of an id is enough if it is unique.\n")

        let ambiguous = try arbor("inspect", "r-", "--db", path)
        XCTAssertEqual(ambiguous.status, 1)
        XCTAssertTrue(ambiguous.stderr.hasPrefix("r- is the start of more than one run id (r-insp01, r-later1)"), ambiguous.stderr)
    }

    func testUnusableDatabasesGiveTheirMessageAndExitOneWithoutTouchingTheFile() throws {
        let randomBytes = sandbox.appendingPathComponent("random.sqlite").path
        var generator = SystemRandomNumberGenerator()
        let noise = Data((0..<8_192).map { _ in UInt8.random(in: 0...255, using: &generator) })
        XCTAssertTrue(FileManager.default.createFile(atPath: randomBytes, contents: Data("garbage!".utf8) + noise))

        let foreign = sandbox.appendingPathComponent("photos.sqlite").path
        try DatabaseQueue(path: foreign).write { db in
            try db.execute(sql: "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO photos (name) VALUES ('cat')")
        }

        let empty = sandbox.appendingPathComponent("empty.sqlite").path
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))

        let truncated = sandbox.appendingPathComponent("truncated.sqlite").path
        do {
            let store = try RunStore(path: truncated)
            try store.createRun(sampleRun())
            try store.appendTokens(sampleTokens(runID: sampleRun().id, seqs: 0..<5_000), to: sampleRun().id)
        }
        let whole = try Data(contentsOf: URL(fileURLWithPath: truncated))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: truncated))

        // Pages damaged after the first: opening succeeds, the first query finds the damage.
        let damaged = sandbox.appendingPathComponent("damaged.sqlite").path
        do {
            let store = try RunStore(path: damaged)
            try InspectedRunFixture.populate(store, id: sampleRun().id)
            try store.appendTokens(sampleTokens(runID: sampleRun().id, seqs: 40..<5_000), to: sampleRun().id)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: damaged))
        try handle.seek(toOffset: 4_096)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 64 * 1_024))
        try handle.close()

        let missingDirectory = sandbox.appendingPathComponent("no/such/dir").path
        let cases: [(path: String, message: String)] = [
            (randomBytes, "\(randomBytes) is not an SQLite database (it does not begin with the SQLite header)"),
            (foreign, "\(foreign) is not an Arbor database: it already holds tables (photos) and lacks Arbor's application_id"),
            (empty, "\(empty) is not an SQLite database (the file is empty (0 bytes), so it holds no runs)"),
            (truncated, "The Arbor database \(truncated) is damaged (the file is"),
            (damaged, "The Arbor database \(damaged) is damaged (database disk image is malformed)"),
            (missingDirectory + "/arbor.sqlite",
             "Cannot open the Arbor database \(missingDirectory)/arbor.sqlite: its directory \(missingDirectory) does not exist"),
        ]
        for (path, message) in cases {
            let before = try? Data(contentsOf: URL(fileURLWithPath: path))
            for arguments in [["runs", "--db", path], ["inspect", "r-test01", "--db", path], ["inspect", "r-x", "--json", "--db", path]] {
                let outcome = try CLIFixtures.run(arguments, sandbox: sandbox)
                XCTAssertEqual(outcome.status, 1, "\(arguments): \(outcome.stderr)")
                XCTAssertEqual(outcome.stdout, "", "\(arguments)")
                XCTAssertTrue(outcome.stderr.hasPrefix(message), "\(arguments): \(outcome.stderr)")
                XCTAssertTrue(outcome.stderr.contains("--db or ARBOR_DB") || outcome.stderr.contains("Check that the directory"),
                              "the message says what to do: \(outcome.stderr)")
                XCTAssertEqual(outcome.stderr.filter { $0 == "\n" }.count, 1, "one sentence, no stack trace: \(outcome.stderr)")
            }
            XCTAssertEqual(try? Data(contentsOf: URL(fileURLWithPath: path)), before, "\(path) was changed")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.appendingPathComponent("no").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: foreign + "-wal"))
    }

    func testWithoutDbOrARBOR_DBTheDefaultIsTheXDGDataHome() throws {
        let outcome = try arbor("runs")
        let expected = sandbox.appendingPathComponent("xdg/arbor/arbor.sqlite").path
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.stderr.hasPrefix("Cannot open the Arbor database \(expected): its directory"), outcome.stderr)

        let store = try RunStore(path: expected)
        try store.createRun(sampleRun(id: "r-home01"))
        let listed = try arbor("runs", "--json")
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertTrue(listed.stdout.contains(#""id": "r-home01""#), listed.stdout)
    }
}
