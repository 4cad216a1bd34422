import ArborStoreTestSupport
import Foundation
import XCTest

/// The built `arbor` finds the checkout's default model from any working directory.
final class DefaultModelLookupTests: XCTestCase {
    func testTheDefaultModelIsFoundBesideTheExecutableFromAnotherDirectory() throws {
        let sandbox = try makeTemporaryDirectory(self)
        let outcome = try CLIFixtures.run(["tokenize", "Hello, world!"], environment: ["ARBOR_MODEL": ""],
                                          sandbox: sandbox, directory: sandbox)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[19556, 28, 905, 17]")
    }
}
