import ArborSchema
import ArborSpec
import Foundation

/// Carries out one of ArborSpec's ``BuiltinTool``s: offline, without side effects.
///
/// ```swift
/// let tool = BuiltinToolImplementation(.dateDiff)
/// try await tool.call(arguments: ["start": "2024-02-28", "end": "2024-03-01"])   // {"days": 2}
/// ```
public struct BuiltinToolImplementation: ArborTool {
    public let builtin: BuiltinTool
    public let name: String
    public let description: String
    public var parametersSchema: JSONValue { builtin.parametersSchema }
    public var timeoutSeconds: Double { 5 }

    public init(_ builtin: BuiltinTool, name: String? = nil, description: String? = nil) {
        self.builtin = builtin
        self.name = name ?? builtin.rawValue
        self.description = description.flatMap { $0.isEmpty ? nil : $0 } ?? builtin.summary
    }

    public func call(arguments: JSONValue) async throws -> JSONValue {
        do {
            return try result(arguments)
        } catch let failure as BuiltinFailure {
            throw ToolError.builtinFailed(tool: name, message: failure.message)
        } catch let failure as Calculator.Failure {
            throw ToolError.builtinFailed(tool: name, message: "cannot evaluate the expression: \(failure.description)")
        }
    }

    private func result(_ arguments: JSONValue) throws -> JSONValue {
        func string(_ key: String) throws -> String {
            guard let value = arguments[key]?.stringValue else { throw BuiltinFailure(message: "the argument '\(key)' must be a string") }
            return value
        }
        switch builtin {
        case .calculator:
            return try Calculator.evaluate(try string("expression")).json
        case .datetime:
            return try DateTools.now(in: arguments["timezone"]?.stringValue ?? "UTC", at: Date())
        case .dateDiff:
            return try DateTools.days(from: try string("start"), to: try string("end"))
        case .unitConvert:
            guard let value = arguments["value"]?.doubleValue else { throw BuiltinFailure(message: "the argument 'value' must be a number") }
            return try UnitConverter.convert(value, from: try string("from_unit"), to: try string("to_unit"))
        case .textStats:
            return TextStats.of(try string("text"))
        case .jsonQuery:
            return try JSONQuery.select(document: try string("document"), pointer: try string("pointer"))
        }
    }
}

/// A built-in's complaint about its input, turned into ``ToolError/builtinFailed(tool:message:)``.
struct BuiltinFailure: Error {
    let message: String
}

/// `text_stats`: characters (grapheme clusters), words (runs of non-whitespace), lines.
enum TextStats {
    static func of(_ text: String) -> JSONValue {
        let words = text.split(whereSeparator: { $0.isWhitespace }).count
        var lines = text.isEmpty ? 0 : text.split(separator: "\n", omittingEmptySubsequences: false).count
        if text.hasSuffix("\n") { lines -= 1 }
        return ["characters": .integer(Int64(text.count)), "words": .integer(Int64(words)),
                "lines": .integer(Int64(lines)), "bytes": .integer(Int64(text.utf8.count))]
    }
}

/// `json_query`: the value an RFC 6901 pointer selects in a JSON text.
enum JSONQuery {
    static func select(document: String, pointer: String) throws -> JSONValue {
        let value: JSONValue
        do { value = try JSONValue(parsing: document) } catch {
            throw BuiltinFailure(message: "the document is not JSON: \(error)")
        }
        let path: JSONPointer
        do { path = try JSONPointer(parsing: pointer) } catch {
            throw BuiltinFailure(message: "'\(pointer)' is not a JSON pointer: \(error)")
        }
        guard let selected = path.resolve(in: value) else {
            throw BuiltinFailure(message: "nothing in the document at \(path.displayString)")
        }
        return ["value": selected]
    }
}
