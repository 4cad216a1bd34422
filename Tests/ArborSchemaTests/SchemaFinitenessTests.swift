import ArborSchema
import XCTest

/// A schema whose every value must contain another has no finite instance; one with a way
/// out (an optional field, a list, a choice, a bounded prefix) has.
final class SchemaFinitenessTests: XCTestCase {
    private func finite(_ text: String) throws -> Bool {
        try SchemaDocument(jsonText: text).hasFiniteInstance
    }

    func testRecursionWithoutABaseCaseHasNoFiniteInstance() throws {
        XCTAssertFalse(try finite(##"{"$ref":"#/$defs/N","$defs":{"N":{"type":"object","properties":{"c":{"$ref":"#/$defs/N"}},"required":["c"]}}}"##))
        XCTAssertFalse(try finite(##"{"$ref":"#/$defs/A","$defs":{"A":{"type":"object","properties":{"b":{"$ref":"#/$defs/B"}},"required":["b"]},"B":{"type":"array","items":{"$ref":"#/$defs/A"},"minItems":1}}}"##),
                       "mutual recursion through a non-empty list")
        XCTAssertFalse(try finite(##"{"type":"object","required":["x"],"additionalProperties":false}"##))
        XCTAssertFalse(try finite("false"))
    }

    func testRecursionWithAWayOutIsFinite() throws {
        XCTAssertTrue(try finite(##"{"$ref":"#/$defs/N","$defs":{"N":{"type":"object","properties":{"c":{"$ref":"#/$defs/N"}}}}}"##), "c is optional")
        XCTAssertTrue(try finite(##"{"$ref":"#/$defs/N","$defs":{"N":{"type":"object","properties":{"c":{"type":"array","items":{"$ref":"#/$defs/N"}}},"required":["c"]}}}"##), "an empty list ends it")
        XCTAssertTrue(try finite(##"{"$ref":"#/$defs/N","$defs":{"N":{"type":"object","properties":{"c":{"anyOf":[{"$ref":"#/$defs/N"},{"type":"null"}]}},"required":["c"]}}}"##))
        XCTAssertTrue(try finite(##"{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}"##))
        XCTAssertTrue(try finite("{}"))
    }
}
