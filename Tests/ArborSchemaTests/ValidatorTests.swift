import Foundation
import XCTest
@testable import ArborSchema

final class ValidatorTests: XCTestCase {
    private func document(_ text: String) throws -> SchemaDocument {
        try SchemaDocument(compiling: try JSONValue(parsing: text))
    }

    private func messages(_ schema: String, _ instance: String) throws -> [String] {
        try document(schema).validate(try JSONValue(parsing: instance)).map(\.description)
    }

    func testErrorCarriesInstancePathKeywordAndLocation() throws {
        let schema = try document(##"""
        {"type": "object", "properties": {"sources": {"type": "array", "items": {"$ref": "#/$defs/Source"}}},
         "$defs": {"Source": {"type": "object", "properties": {"url": {"type": "string"}}, "required": ["url"]}}}
        """##)
        let errors = schema.validate(try JSONValue(parsing: #"{"sources": [{"url": "a"}, {"url": 3}]}"#))
        XCTAssertEqual(errors, [ValidationError(instancePath: JSONPointer(tokens: ["sources", "1", "url"]), keyword: "type",
                                                keywordLocation: JSONPointer(tokens: ["$defs", "Source", "properties", "url", "type"]),
                                                message: "expected string, got integer")])
        XCTAssertEqual(errors.first?.description, "/sources/1/url: expected string, got integer")
    }

    func testEveryViolationIsReported() throws {
        let result = try messages(#"""
        {"type": "object", "required": ["a", "b"], "additionalProperties": false,
         "properties": {"c": {"type": "string", "minLength": 5, "pattern": "^x"}, "d": {"type": "array", "maxItems": 1, "uniqueItems": true, "items": {"type": "integer"}}}}
        """#, #"{"c": "abc", "d": [1, 1, "z"], "e": null}"#)
        XCTAssertEqual(result, [
            #"(root): missing required property "a""#,
            #"(root): missing required property "b""#,
            #"/c: expected at least 5 characters, got 3"#,
            #"/c: "abc" does not match the pattern ^x"#,
            #"/d/2: expected integer, got string"#,
            #"/d: expected at most 1 item, got 3"#,
            #"/d: items 0 and 1 are equal, but the items must be unique"#,
            #"/e: the property "e" is not allowed (allowed: "c" and "d")"#,
        ])
    }

    func testMessagesForEachKeyword() throws {
        let cases: [(String, String, String)] = [
            (#"{"type": ["string", "null"]}"#, "1.5", "(root): expected string or null, got number"),
            (#"{"enum": ["a", "b", 3]}"#, #""c""#, #"(root): expected one of "a", "b" or 3, got "c""#),
            (#"{"const": {"k": 1}}"#, "[]", #"(root): expected {"k":1}, got []"#),
            (#"{"minimum": 2}"#, "1", "(root): expected a number >= 2, got 1"),
            (#"{"maximum": 2.5}"#, "3", "(root): expected a number <= 2.5, got 3"),
            (#"{"exclusiveMinimum": 0}"#, "0", "(root): expected a number > 0, got 0"),
            (#"{"exclusiveMaximum": 1}"#, "1.0", "(root): expected a number < 1, got 1.0"),
            (#"{"multipleOf": 0.5}"#, "0.7", "(root): expected a multiple of 0.5, got 0.7"),
            (#"{"maxLength": 1}"#, #""ab""#, "(root): expected at most 1 character, got 2"),
            (#"{"format": "date"}"#, #""2023-02-30""#, #"(root): "2023-02-30" is not a valid date"#),
            (#"{"minItems": 2}"#, "[1]", "(root): expected at least 2 items, got 1"),
            (#"{"prefixItems": [{}], "items": false}"#, "[1, 2]", "(root): expected at most 1 item, got 2"),
            (#"{"minProperties": 1}"#, "{}", "(root): expected at least 1 property, got 0"),
            (#"{"maxProperties": 1}"#, #"{"a": 1, "b": 2}"#, "(root): expected at most 1 property, got 2"),
            (#"{"additionalProperties": false}"#, #"{"a": 1}"#, #"/a: the property "a" is not allowed (no properties are allowed)"#),
            (#"{"properties": {"a": false}}"#, #"{"a": 1}"#, "/a: no value is allowed here (the schema is `false`), got 1"),
            (#"{"oneOf": [{"type": "integer"}, {"minimum": 0}]}"#, "1", "(root): the value matches alternatives 0 and 1 of oneOf, but must match exactly one"),
        ]
        for (schema, instance, expected) in cases {
            XCTAssertEqual(try messages(schema, instance), [expected], schema)
        }
    }

    func testLongValuesAreShortenedInMessages() throws {
        let long = String(repeating: "x", count: 100)
        let result = try messages(#"{"pattern": "^y"}"#, "\"\(long)\"")
        XCTAssertEqual(result, ["(root): \"" + String(repeating: "x", count: 56) + "… does not match the pattern ^y"])
    }

    func testAnyOfReportsTheAlternativeWithTheRightType() throws {
        // Optional[Source]: the object alternative is the one meant, so its errors are shown.
        let schema = #"{"anyOf": [{"type": "object", "properties": {"url": {"type": "string"}}, "required": ["url"]}, {"type": "null"}]}"#
        XCTAssertEqual(try messages(schema, #"{"url": 1}"#), ["/url: expected string, got integer"])
        XCTAssertEqual(try messages(schema, "{}"), [#"(root): missing required property "url""#])
        XCTAssertEqual(try messages(schema, "5"), ["(root): expected object or null, got 5 (integer)"])
    }

    func testAnyOfWithConstAlternativesListsThem() throws {
        let schema = #"{"anyOf": [{"const": "a"}, {"const": "b"}, {"type": "integer"}]}"#
        XCTAssertEqual(try messages(schema, #""c""#), [#"(root): expected "a", "b" or integer, got "c" (string)"#])
    }

    func testOneOfPicksTheAlternativeTheDiscriminatorNames() throws {
        let schema = ##"""
        {"oneOf": [{"$ref": "#/$defs/Cat"}, {"$ref": "#/$defs/Dog"}],
         "$defs": {"Cat": {"type": "object", "properties": {"kind": {"const": "cat"}}, "required": ["kind", "lives"]},
                   "Dog": {"type": "object", "properties": {"kind": {"const": "dog"}}, "required": ["kind", "good"]}}}
        """##
        XCTAssertEqual(try messages(schema, #"{"kind": "cat"}"#), [#"(root): missing required property "lives""#])
        let errors = try document(schema).validate(try JSONValue(parsing: #"{"kind": "cat"}"#))
        XCTAssertEqual(errors.first?.keywordLocation.string, "/$defs/Cat/required")
    }

    func testAnyOfWithSeveralPlausibleAlternativesSummarises() throws {
        let schema = #"{"anyOf": [{"type": "object", "required": ["a"]}, {"type": "object", "required": ["b"], "maxProperties": 0}]}"#
        XCTAssertEqual(try messages(schema, #"{"c": 1}"#), [#"(root): the value matches none of the alternatives of anyOf (alternative 0: (root): missing required property "a"; alternative 1: (root): missing required property "b", (root): expected at most 0 properties, got 1)"#])
        let errors = try document(schema).validate(try JSONValue(parsing: #"{"c": 1}"#))
        XCTAssertEqual(errors.first?.keywordLocation.string, "/anyOf")
    }

    func testIntegralDoublesAreIntegers() throws {
        let schema = try document(#"{"type": "integer"}"#)
        XCTAssertTrue(schema.isValid(.number(1.0)))
        XCTAssertTrue(schema.isValid(.number(-0.0)))
        XCTAssertFalse(schema.isValid(.number(1.5)))
        XCTAssertFalse(schema.isValid(.number(.infinity)))
    }

    func testMultipleOfArithmetic() {
        func multiple(_ a: JSONNumber, _ b: JSONNumber) -> Bool { Validator.isMultiple(a, of: b) }
        XCTAssertTrue(multiple(.integer(Int64.max), .integer(7)))
        XCTAssertFalse(multiple(.integer(Int64.max - 1), .integer(7)))
        XCTAssertFalse(multiple(.integer(Int64.max), .integer(2)))
        XCTAssertTrue(multiple(.integer(Int64.min), .integer(2)))
        XCTAssertTrue(multiple(.double(0.3), .double(0.1)))
        XCTAssertTrue(multiple(.double(4.35), .double(0.05)))
        XCTAssertFalse(multiple(.double(4.36), .double(0.05)))
        XCTAssertTrue(multiple(.integer(10), .double(0.5)))
        XCTAssertFalse(multiple(.double(1e308), .double(1e-308)), "an infinite quotient is not a multiple")
    }

    func testJSONNumberComparesExactlyAcrossKinds() {
        XCTAssertTrue(JSONNumber.integer(9007199254740993) > .double(9007199254740992))
        XCTAssertTrue(JSONNumber.integer(Int64.max) < .double(9223372036854775808.0))
        XCTAssertTrue(JSONNumber.integer(Int64.min) == .double(-9223372036854775808.0))
        XCTAssertTrue(JSONNumber.double(-0.5) < .integer(0))
        XCTAssertTrue(JSONNumber.double(-0.5) > .integer(-1))
        XCTAssertTrue(JSONNumber.integer(2) == .double(2.0))
        XCTAssertFalse(JSONNumber.integer(2) < .double(2.0))
        XCTAssertTrue(JSONNumber.integer(2) < .double(2.0000001))
    }

    func testReasoningTreeErrorsPointDeepIntoTheTree() throws {
        let url = FixturePaths.root.appendingPathComponent("Schema/reasoning_tree.json")
        let group = try XCTUnwrap(try JSONValue(parsing: Data(contentsOf: url))[0])
        let schema = try SchemaDocument(compiling: try XCTUnwrap(group["schema"]))
        func errors(_ name: String) throws -> [String] {
            let test = try XCTUnwrap(group["tests"]?.arrayValue?.first { $0["description"]?.stringValue == name }, name)
            return schema.validate(try XCTUnwrap(test["data"])).map(\.description)
        }
        XCTAssertEqual(try errors("extra key in a deep task"), [
            #"/reasoning/0/subtasks/0/note: the property "note" is not allowed (allowed: "thought", "tooluse", "subtasks" and "conclusion")"#,
        ])
        XCTAssertEqual(try errors("parameters of the other tool"), [
            #"/reasoning/0/tooluse/parameters: missing required property "query""#,
            #"/reasoning/0/tooluse/parameters/url: the property "url" is not allowed (allowed: "query")"#,
        ])
        XCTAssertEqual(try errors("absent optional parts must be written as null"), [
            #"/reasoning/0: missing required property "tooluse""#,
            #"/reasoning/0: missing required property "subtasks""#,
        ])
        XCTAssertEqual(try errors("too many subtasks deep in the tree"), ["/reasoning/0/subtasks/0/subtasks: expected at most 3 items, got 4"])
    }
}
