import XCTest
@testable import ArborSchema

final class SchemaCompilerTests: XCTestCase {
    private func compileErrors(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [SchemaError] {
        do {
            let schema = try JSONValue(parsing: text)
            _ = try SchemaDocument(compiling: schema)
            XCTFail("expected compile errors", file: file, line: line)
            return []
        } catch let error as SchemaCompileError {
            return error.errors
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
            return []
        }
    }

    private func pointer(_ string: String) -> JSONPointer {
        do { return try JSONPointer(parsing: string) } catch { preconditionFailure("\(error)") }
    }

    func testEveryUnsupportedKeywordIsAnErrorWithItsPointer() throws {
        let keywords: [(String, String)] = [
            ("not", #"{"type": "string"}"#), ("if", #"{}"#), ("then", #"{}"#), ("else", #"{}"#),
            ("patternProperties", #"{"^a": {}}"#), ("propertyNames", #"{"maxLength": 3}"#),
            ("dependentRequired", #"{"a": ["b"]}"#), ("dependentSchemas", #"{"a": {}}"#),
            ("dependencies", #"{"a": ["b"]}"#), ("contains", #"{}"#), ("minContains", "1"), ("maxContains", "1"),
            ("unevaluatedProperties", "false"), ("unevaluatedItems", "false"), ("$anchor", #""a""#),
            ("$dynamicRef", ##""#a""##), ("$dynamicAnchor", ##""a""##), ("$recursiveRef", ##""#""##),
            ("$recursiveAnchor", "true"), ("$vocabulary", "{}"), ("contentEncoding", #""base64""#),
            ("contentMediaType", #""text/html""#), ("contentSchema", "{}"), ("nullable", "true"),
            ("propertise", "{}"), ("x-extension", "1"),
        ]
        for (keyword, value) in keywords {
            let errors = compileErrors(#"{"properties": {"a/b": {"type": "object", "\#(keyword)": \#(value)}}}"#)
            let expected = JSONPointer(tokens: ["properties", "a/b", keyword])
            XCTAssertEqual(errors, [.unsupportedKeyword(keyword: keyword, pointer: expected)], keyword)
            XCTAssertTrue(errors.first?.description.hasPrefix("/properties/a~1b/\(JSONPointer.escape(keyword)): ") ?? false, "\(errors)")
        }
        XCTAssertTrue(SchemaError.unsupportedKeyword(keyword: "not", pointer: .root).description.contains("is not supported by Arbor"))
        XCTAssertTrue(SchemaError.unsupportedKeyword(keyword: "propertise", pointer: .root).description.contains("check its spelling"))
    }

    func testUnknownFormatIsAnError() {
        for format in ["idn-hostname", "duration", "binary", "date_time", "IPv4"] {
            let errors = compileErrors(#"{"items": {"format": "\#(format)"}}"#)
            XCTAssertEqual(errors, [.unsupportedFormat(format: format, pointer: pointer("/items/format"))])
        }
    }

    func testAllErrorsAreCollectedInDocumentOrder() {
        let errors = compileErrors("""
        {"type": "strin",
         "properties": {
            "a": {"minLength": -1, "not": {}},
            "b": {"pattern": "(?=x)", "$ref": "#/$defs/missing"},
            "c": 7,
            "d": {"format": "duration", "enum": 3, "required": ["x", "x"]}
         },
         "$defs": {"e": {"multipleOf": 0, "items": [true], "prefixItems": [true]}},
         "if": {}}
        """)
        XCTAssertEqual(errors, [
            .invalidKeywordValue(keyword: "type", pointer: pointer("/type"), expected: "a type name (null, boolean, integer, number, string, array, object) or an array of distinct type names"),
            .invalidKeywordValue(keyword: "minLength", pointer: pointer("/properties/a/minLength"), expected: "a non-negative integer"),
            .unsupportedKeyword(keyword: "not", pointer: pointer("/properties/a/not")),
            .invalidPattern(pattern: "(?=x)", pointer: pointer("/properties/b/pattern"), reason: .unsupported(construct: "(?=", name: "lookahead", offset: 0)),
            .invalidSchema(pointer: pointer("/properties/c"), found: "a number"),
            .unsupportedFormat(format: "duration", pointer: pointer("/properties/d/format")),
            .invalidKeywordValue(keyword: "enum", pointer: pointer("/properties/d/enum"), expected: "an array of allowed values"),
            .invalidKeywordValue(keyword: "required", pointer: pointer("/properties/d/required"), expected: "an array of distinct property names"),
            .invalidKeywordValue(keyword: "multipleOf", pointer: pointer("/$defs/e/multipleOf"), expected: "a number greater than 0"),
            .conflictingKeywords(keywords: ["prefixItems", "items"], pointer: pointer("/$defs/e"), reason: "array-form `items` is the draft-7 spelling of `prefixItems`; use one of them"),
            .unsupportedKeyword(keyword: "if", pointer: pointer("/if")),
            .unresolvedReference(reference: "#/$defs/missing", pointer: pointer("/properties/b/$ref")),
        ])
        let error = SchemaCompileError(errors: errors)
        XCTAssertTrue(error.description.hasPrefix("The schema has 12 errors:\n  /type: the value of `type` must be"), error.description)
    }

    func testWrongKeywordValueTypesAreErrors() {
        let cases: [(String, String)] = [
            (#"{"type": []}"#, "/type"), (#"{"type": ["string", "string"]}"#, "/type"), (#"{"type": 1}"#, "/type"),
            (#"{"properties": []}"#, "/properties"), (#"{"required": "a"}"#, "/required"), (#"{"required": [1]}"#, "/required"),
            (#"{"minItems": 1.5}"#, "/minItems"), (#"{"maxItems": "2"}"#, "/maxItems"), (#"{"minProperties": -1}"#, "/minProperties"),
            (#"{"maxProperties": true}"#, "/maxProperties"), (#"{"maxLength": null}"#, "/maxLength"),
            (#"{"uniqueItems": 1}"#, "/uniqueItems"), (#"{"pattern": 1}"#, "/pattern"), (#"{"format": 1}"#, "/format"),
            (#"{"minimum": "1"}"#, "/minimum"), (#"{"maximum": null}"#, "/maximum"), (#"{"exclusiveMinimum": "0"}"#, "/exclusiveMinimum"),
            (#"{"exclusiveMaximum": true}"#, "/exclusiveMaximum"), (#"{"multipleOf": -2}"#, "/multipleOf"),
            (#"{"allOf": []}"#, "/allOf"), (#"{"anyOf": {}}"#, "/anyOf"), (#"{"oneOf": "x"}"#, "/oneOf"),
            (#"{"prefixItems": []}"#, "/prefixItems"), (#"{"$defs": []}"#, "/$defs"), (#"{"definitions": 1}"#, "/definitions"),
            (#"{"$ref": 1}"#, "/$ref"), (#"{"title": 1}"#, "/title"), (#"{"description": []}"#, "/description"),
            (#"{"examples": {}}"#, "/examples"), (#"{"deprecated": "yes"}"#, "/deprecated"), (#"{"readOnly": 0}"#, "/readOnly"),
            (#"{"writeOnly": null}"#, "/writeOnly"), (#"{"$comment": 1}"#, "/$comment"), (#"{"$schema": 7}"#, "/$schema"),
            (#"{"discriminator": "kind"}"#, "/discriminator"), (#"{"items": {"$id": "x"}}"#, "/items/$id"),
        ]
        for (text, location) in cases {
            let errors = compileErrors(text)
            XCTAssertEqual(errors.count, 1, text)
            guard case .invalidKeywordValue(_, let errorPointer, _)? = errors.first else {
                XCTFail("\(text): \(errors)")
                continue
            }
            XCTAssertEqual(errorPointer.string, location, text)
        }
    }

    func testSchemasMustBeObjectsOrBooleans() {
        XCTAssertEqual(compileErrors(#""string""#), [.invalidSchema(pointer: .root, found: "a string")])
        XCTAssertEqual(compileErrors(#"{"items": null}"#), [.invalidSchema(pointer: pointer("/items"), found: "null")])
        XCTAssertEqual(compileErrors(#"{"anyOf": [{}, 1]}"#), [.invalidSchema(pointer: pointer("/anyOf/1"), found: "a number")])
        XCTAssertEqual(compileErrors(#"{"additionalProperties": []}"#), [.invalidSchema(pointer: pointer("/additionalProperties"), found: "an array")])
    }

    func testReferencesMustBeLocalAndResolvable() {
        XCTAssertEqual(compileErrors(##"{"$ref": "other.json#/a"}"##), [.unsupportedReference(reference: "other.json#/a", pointer: pointer("/$ref"))])
        XCTAssertEqual(compileErrors(##"{"$ref": "#anchor"}"##), [.unsupportedReference(reference: "#anchor", pointer: pointer("/$ref"))])
        XCTAssertEqual(compileErrors(##"{"$ref": "#/$defs/a~2"}"##), [.unsupportedReference(reference: "#/$defs/a~2", pointer: pointer("/$ref"))])
        XCTAssertEqual(compileErrors(##"{"items": {"$ref": "#/$defs/Missing"}}"##),
                       [.unresolvedReference(reference: "#/$defs/Missing", pointer: pointer("/items/$ref"))])
        // Lenient like most validators: an unencoded space in a fragment is taken as written.
        XCTAssertNoThrow(try SchemaDocument(compiling: try JSONValue(parsing: ##"{"$defs": {"a b": {}}, "$ref": "#/$defs/a b"}"##)))
    }

    func testReferenceToNonSchemaValueIsCompiledOnDemand() throws {
        let document = try SchemaDocument(compiling: try JSONValue(parsing: ##"{"examples": [{"type": "integer"}], "items": {"$ref": "#/examples/0"}}"##))
        XCTAssertTrue(document.isValid([1, 2]))
        XCTAssertFalse(document.isValid(["x"]))
        XCTAssertEqual(compileErrors(##"{"examples": [{"type": "integr"}], "$ref": "#/examples/0"}"##).map(\.pointer.string), ["/examples/0/type"])
    }

    func testReferenceCyclesWithoutProgressAreErrors() {
        XCTAssertEqual(compileErrors(##"{"$ref": "#"}"##), [.referenceCycle(pointer: .root)])
        XCTAssertEqual(compileErrors(##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"anyOf": [{"$ref": "#/$defs/a"}, {"type": "null"}]}}, "$ref": "#/$defs/a"}"##).count, 1)
        XCTAssertEqual(compileErrors(##"{"allOf": [{"$ref": "#"}]}"##), [.referenceCycle(pointer: pointer("/allOf/0"))])
        // Descending into properties or items is progress, not a cycle.
        XCTAssertNoThrow(try SchemaDocument(compiling: try JSONValue(parsing: ##"{"anyOf": [{"type": "null"}, {"items": {"$ref": "#"}}]}"##)))
    }

    func testDraft7FormsAreNormalised() throws {
        let document = try SchemaDocument(compiling: try JSONValue(parsing: """
        {"definitions": {"n": {"type": "number"}},
         "items": [{"$ref": "#/definitions/n"}], "additionalItems": false,
         "minimum": 1, "exclusiveMinimum": true, "maximum": 5, "exclusiveMaximum": false}
        """))
        guard case .node(let node) = document.root else { return XCTFail("object schema") }
        XCTAssertEqual(node.prefixItems?.count, 1)
        XCTAssertEqual(node.items, .boolean(false, location: pointer("/additionalItems")))
        XCTAssertNil(node.minimum)
        XCTAssertEqual(node.exclusiveMinimum, .integer(1))
        XCTAssertEqual(node.maximum, .integer(5))
        XCTAssertNil(node.exclusiveMaximum)
        XCTAssertEqual(document.definitionLocations, [pointer("/definitions/n")])
        XCTAssertEqual(compileErrors(#"{"additionalItems": false}"#).map(\.pointer), [.root])
    }

    func testModelKeepsOrderLocationsAndAnnotations() throws {
        let document = try SchemaDocument(compiling: try JSONValue(parsing: """
        {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "T",
         "type": ["object", "null"], "properties": {"z": {"type": "string", "default": null}, "a": {"$ref": "#/$defs/A"}},
         "required": ["z"], "$defs": {"A": {"const": null, "description": "always null"}}}
        """))
        guard case .node(let root) = document.root else { return XCTFail("object schema") }
        XCTAssertEqual(root.types, [.object, .null])
        XCTAssertEqual(root.properties.map(\.name), ["z", "a"])
        XCTAssertEqual(root.annotations.title, "T")
        XCTAssertEqual(root.annotations.dialect, "https://json-schema.org/draft/2020-12/schema")
        guard case .node(let z)? = root.property("z"), case .node(let a)? = root.property("a") else { return XCTFail("properties") }
        XCTAssertEqual(z.location, pointer("/properties/z"))
        XCTAssertEqual(z.annotations.defaultValue, .some(.null))
        let reference = try XCTUnwrap(a.reference)
        XCTAssertEqual(reference.target, pointer("/$defs/A"))
        guard case .node(let target) = document.resolve(reference) else { return XCTFail("target") }
        XCTAssertEqual(target.constValue, .some(.null))
        XCTAssertEqual(target.annotations.description, "always null")
        XCTAssertEqual(document.schema(at: pointer("/$defs/A"))?.location, pointer("/$defs/A"))
    }

    func testDocumentsAreEqualWhenTheirSourceTextIs() throws {
        let a = try SchemaDocument(jsonText: #"{"properties": {"a": {}, "b": {}}}"#)
        let b = try SchemaDocument(jsonText: #"{"properties": {"a": {}, "b": {}}}"#)
        let reordered = try SchemaDocument(jsonText: #"{"properties": {"b": {}, "a": {}}}"#)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, reordered, "property order matters to a grammar")
        XCTAssertEqual(Set([a, b, reordered]).count, 2)
    }
}
