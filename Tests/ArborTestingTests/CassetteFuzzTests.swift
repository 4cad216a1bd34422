import ArborFuzzSupport
import ArborSchema
@testable import ArborTesting
import XCTest

/// Cassettes on disk are outside input (hand-edited, merged, damaged): each mutated one is
/// read as a cassette or refused with a `TestingError` that names the file.
final class CassetteFuzzTests: XCTestCase {
    func testMutatedCassettesLoadOrNameTheirProblem() throws {
        var seeds = FuzzSeeds.files(under: "Workflows/cassettes", endingWith: [".json"])
        let made = Cassette(workflow: "w", testCase: "c", tools: [(name: "t", parameters: ["type": "object", "properties": ["q": ["type": "string"]]])],
                            interactions: [.init(tool: "t", arguments: ["q": "x"], response: .result(["n": 1])),
                                           .init(tool: "t", arguments: ["q": "y"], response: .error("no"))],
                            output: ["answer": 42])
        seeds.append(Array(made.json.prettyString.utf8))
        XCTAssertGreaterThan(seeds.count, 2)
        let dictionary = FuzzTokens.json + [
            "\"arbor_cassette\":", "\"interactions\":", "\"tools\":", "\"result\":", "\"error\":", "\"arguments\":", "\"output\":", "\"tool\":",
        ].map { Array($0.utf8) }
        let mutator = Mutator(seeds: seeds, dictionary: dictionary, nesting: FuzzTokens.jsonNesting)
        let report = FuzzDriver.run("cassette", mutator: mutator, iterations: FuzzDriver.iterations("cassette", default: 1500)) { input in
            guard let json = try? JSONValue(parsing: input) else { return .rejected }
            do {
                _ = try Cassette(json: json, path: "fuzz.json")
                return .accepted
            } catch let error as TestingError {
                let text = error.description
                return text.contains("fuzz.json") ? .rejected : .unclear("the error does not name the file: \(text)")
            } catch {
                return .unclear("not a TestingError: \(error)")
            }
        }
        XCTAssertEqual(report.unclearCount, 0, report.unclear.map(\.reason).joined(separator: "\n"))
        XCTAssertGreaterThan(report.accepted, 0)
        XCTAssertGreaterThan(report.rejected, 0)
    }
}
