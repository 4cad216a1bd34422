import ArborSchema
import GRDB

// The value type, its parsing and its order live in ArborSchema (``NodePath``); the store adds
// its error and its column conformance.

extension NodePath {
    /// Parses `0.2.1`; throws ``StoreError/invalidNodePath(_:)`` for anything else.
    public init(_ text: String) throws {
        guard let path = NodePath(parsing: text) else { throw StoreError.invalidNodePath(text) }
        self = path
    }
}

extension NodePath: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { description.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> NodePath? {
        String.fromDatabaseValue(dbValue).flatMap { try? NodePath($0) }
    }
}
