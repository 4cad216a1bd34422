import ArborSchema

/// A schema constraint the grammar does not enforce, so that a value produced under the
/// grammar must still be validated for it.
///
/// The grammar enforces everything a context-free grammar can say cheaply; the rest (listed
/// in the schema → grammar documentation) is reported here, one entry per schema location
/// and keyword, and the runtime validates the finished value against the schema.
public struct PostCheck: Sendable, Hashable, CustomStringConvertible {
    /// Where the keyword is in the schema document.
    public var pointer: JSONPointer
    /// The keyword that is checked after generation, e.g. `multipleOf` or `oneOf`.
    public var keyword: String

    public init(pointer: JSONPointer, keyword: String) {
        self.pointer = pointer
        self.keyword = keyword
    }

    public var description: String {
        "\(pointer.displayString): `\(keyword)` is checked after generation, not by the grammar"
    }
}
