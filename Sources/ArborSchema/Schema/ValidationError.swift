/// One way an instance violates a schema.
///
/// `instancePath` says where in the instance, `keywordLocation` which keyword of which
/// schema (its location in the schema document, after following `$ref`), and `message` what
/// was expected. `description` is the line to show a user.
///
/// ```swift
/// let error = document.validate(["sources": [["url": 3]]])[0]
/// error.instancePath.string     // "/sources/0/url"
/// error.keyword                 // "type"
/// error.keywordLocation.string  // "/$defs/Source/properties/url/type"
/// error.description             // "/sources/0/url: expected string, got integer"
/// ```
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var instancePath: JSONPointer
    /// The keyword that failed (`type`, `required`, `anyOf`, …; `false` for a false schema).
    public var keyword: String
    /// The failing keyword's location in the schema document.
    public var keywordLocation: JSONPointer
    public var message: String

    public init(instancePath: JSONPointer, keyword: String, keywordLocation: JSONPointer, message: String) {
        self.instancePath = instancePath
        self.keyword = keyword
        self.keywordLocation = keywordLocation
        self.message = message
    }

    public var description: String { "\(instancePath.displayString): \(message)" }
}
