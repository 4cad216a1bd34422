import Foundation
import XCTest
@testable import ArborSchema

/// Runs every case of Fixtures/Schema/*.json, laid out like the JSON-Schema-Test-Suite:
/// `[{"description", "schema", "tests": [{"description", "data", "valid"}]}]`.
/// A failing case is reported with its file, group and case descriptions and the errors.
final class SchemaFixtureTests: XCTestCase {
    func testAllSchemaFixtures() throws {
        var caseCount = 0
        for url in try FixturePaths.files(in: "Schema") {
            let file = url.lastPathComponent
            let groups: JSONValue
            do {
                groups = try JSONValue(parsing: Data(contentsOf: url))
            } catch {
                XCTFail("\(file): \(error)")
                continue
            }
            for group in groups.arrayValue ?? [] {
                let groupName = group["description"]?.stringValue ?? "?"
                let document: SchemaDocument
                do {
                    document = try SchemaDocument(compiling: group["schema"] ?? .null)
                } catch {
                    XCTFail("\(file) › \(groupName): the schema does not compile: \(error)")
                    continue
                }
                for test in group["tests"]?.arrayValue ?? [] {
                    caseCount += 1
                    let testName = test["description"]?.stringValue ?? "?"
                    let expected = test["valid"]?.boolValue ?? false
                    let errors = document.validate(test["data"] ?? .null)
                    if errors.isEmpty != expected {
                        let detail = errors.isEmpty ? "no errors" : errors.map(\.description).joined(separator: "; ")
                        XCTFail("\(file) › \(groupName) › \(testName): expected \(expected ? "valid" : "invalid"), got \(detail)")
                    }
                }
            }
        }
        XCTAssertGreaterThanOrEqual(caseCount, 300, "the fixtures should hold at least 300 cases")
    }
}
