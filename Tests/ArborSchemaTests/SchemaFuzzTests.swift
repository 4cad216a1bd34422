import ArborFuzzSupport
import ArborSchema
import Foundation
import XCTest

/// The JSON parser and the JSON Schema compiler/validator on mutated real documents.
final class SchemaFuzzTests: XCTestCase {
    static let jsonDictionary: [[UInt8]] = FuzzTokens.json + [
        "\"$ref\":\"#\"", "\"$ref\":\"#/$defs/a\"",
        "\"$defs\":{\"a\":{\"$ref\":\"#/$defs/a\"}}", "\"type\":", "\"items\":", "\"properties\":", "\"required\":[\"a\"]", "\"pattern\":\"(a+)+$\"",
        "\"pattern\":\"[\"", "\"minLength\":", "\"maxItems\":-1", "\"multipleOf\":0", "\"allOf\":[", "\"anyOf\":[", "\"oneOf\":[", "\"not\":",
        "\"enum\":[]", "\"const\":", "\"format\":\"date-time\"", "\"additionalProperties\":false", "\"prefixItems\":[", "\"$id\":\"x\"",
    ].map { Array($0.utf8) }

    static let nesting: [(open: [UInt8], close: [UInt8])] = FuzzTokens.jsonNesting + [
        (Array("{\"items\":".utf8), Array("}".utf8)),
        (Array("{\"not\":".utf8), Array("}".utf8)), (Array("{\"allOf\":[".utf8), Array("]}".utf8)),
    ]

    /// Every schema of the validator fixtures, the package's JSON Schemas, and their test data.
    static func seeds() -> (schemas: [[UInt8]], data: [[UInt8]]) {
        var schemas = FuzzSeeds.files(under: "Schemas", endingWith: [".json"])
        var data: [[UInt8]] = []
        for file in FuzzSeeds.files(under: "Tests/ArborSchemaTests/Fixtures/Schema", endingWith: [".json"]) {
            guard let groups = try? JSONValue(parsing: file).arrayValue else { continue }
            for group in groups {
                if let schema = group["schema"] { schemas.append(Array(schema.prettyString.utf8)) }
                for test in group["tests"]?.arrayValue ?? [] {
                    if let value = test["data"] { data.append(Array(value.compactString.utf8)) }
                }
            }
        }
        return (schemas, data + FuzzSeeds.files(under: "Workflows/cassettes", endingWith: [".json"]))
    }

    func testMutatedJSONParsesAndPrintsBackOrFailsAtAPlaceInTheText() {
        let (schemas, data) = Self.seeds()
        let mutator = Mutator(seeds: data + schemas, dictionary: Self.jsonDictionary, nesting: Self.nesting)
        let report = FuzzDriver.run("json-data", mutator: mutator, iterations: FuzzDriver.iterations("json-data", default: 2000)) { input in
            do {
                let value = try JSONValue(parsing: input)
                // What is printed reads back as the same value.
                guard (try? JSONValue(parsing: value.compactString)) == value else { return .unclear("the printed value does not read back") }
                return .accepted
            } catch let error as JSONParseError {
                if error.message.isEmpty || error.offset < 0 || error.offset > input.count || error.line < 1 || error.column < 1 {
                    return .unclear("\(error) is not located in the \(input.count) bytes")
                }
                return .rejected
            } catch {
                return .unclear("not a JSONParseError: \(error)")
            }
        }
        XCTAssertEqual(report.unclearCount, 0, report.unclear.map { "\($0.reason): \(String(decoding: $0.input.prefix(300), as: UTF8.self))" }.joined(separator: "\n"))
        XCTAssertGreaterThan(report.accepted, 0)
        XCTAssertGreaterThan(report.rejected, 0)
    }

    func testMutatedSchemasCompileAndValidateOrListTheirErrors() throws {
        let (schemas, data) = Self.seeds()
        let instances = data.prefix(40).compactMap { try? JSONValue(parsing: $0) }
        let mutator = Mutator(seeds: schemas, dictionary: Self.jsonDictionary, nesting: Self.nesting)
        let report = FuzzDriver.run("json-schema", mutator: mutator, iterations: FuzzDriver.iterations("json-schema", default: 1500)) { input in
            guard let json = try? JSONValue(parsing: input) else { return .rejected }
            do {
                let document = try SchemaDocument(compiling: json)
                _ = document.hasFiniteInstance
                for instance in instances { _ = document.validate(instance) }
                return .accepted
            } catch let error as SchemaCompileError {
                if error.errors.isEmpty || error.errors.contains(where: { $0.description.isEmpty }) { return .unclear("an empty compile error") }
                return .rejected
            } catch {
                return .unclear("not a SchemaCompileError: \(error)")
            }
        }
        XCTAssertEqual(report.unclearCount, 0, report.unclear.map { "\($0.reason): \(String(decoding: $0.input.prefix(300), as: UTF8.self))" }.joined(separator: "\n"))
        XCTAssertGreaterThan(report.accepted, 0)
        XCTAssertGreaterThan(report.rejected, 0)
    }
}
