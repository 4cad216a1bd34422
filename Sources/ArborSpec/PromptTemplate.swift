import ArborSchema

/// Text with `{{name}}` placeholders, as used for instructions and tool templates.
///
/// Spaces inside the braces are allowed (`{{ question }}`); a name is letters, digits and
/// underscores. `{{` without a closing `}}` is an error. Rendering inserts strings as they
/// are and any other JSON value as compact JSON.
///
/// ```swift
/// let template = try PromptTemplate("Answer: {{question}}")
/// template.variables.map(\.name)             // ["question"]
/// template.render(["question": "Why?"])      // "Answer: Why?"
/// ```
public struct PromptTemplate: Codable, Sendable, Equatable {
    public enum Segment: Codable, Sendable, Equatable {
        case text(String)
        /// A placeholder and the character offset of its `{{` in the source.
        case variable(name: String, offset: Int)
    }

    /// A malformed placeholder, at a character offset in the source.
    public struct SyntaxError: Error, Sendable, Equatable {
        public var offset: Int
        public var message: String
    }

    public let source: String
    public let segments: [Segment]

    /// The empty template.
    public static let empty = PromptTemplate(source: "", segments: [])

    private init(source: String, segments: [Segment]) {
        self.source = source
        self.segments = segments
    }

    public init(_ source: String) throws(SyntaxError) {
        self.source = source
        let scalars = Array(source.unicodeScalars)
        var segments: [Segment] = []
        var text = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if scalars[index] == "{", index + 1 < scalars.count, scalars[index + 1] == "{" {
                let start = index
                var end = index + 2
                while end + 1 < scalars.count, !(scalars[end] == "}" && scalars[end + 1] == "}") { end += 1 }
                guard end + 1 < scalars.count else {
                    throw SyntaxError(offset: start, message: "`{{` has no closing `}}`")
                }
                let inner = String(String.UnicodeScalarView(scalars[(start + 2)..<end]))
                let name = inner.trimmingSpaces
                guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }) else {
                    throw SyntaxError(offset: start, message: "`{{\(inner)}}` is not a placeholder; write `{{name}}` with an input's name")
                }
                if !text.isEmpty { segments.append(.text(String(text))) }
                text = String.UnicodeScalarView()
                segments.append(.variable(name: name, offset: start))
                index = end + 2
            } else {
                text.append(scalars[index])
                index += 1
            }
        }
        if !text.isEmpty { segments.append(.text(String(text))) }
        self.segments = segments
    }

    /// The placeholders in order of appearance (a name may appear more than once).
    public var variables: [(name: String, offset: Int)] {
        segments.compactMap { if case let .variable(name, offset) = $0 { return (name, offset) } else { return nil } }
    }

    /// The text with each placeholder replaced; a missing value leaves the placeholder as written.
    public func render(_ values: JSONObject) -> String {
        var output = ""
        for segment in segments {
            switch segment {
            case .text(let text): output += text
            case .variable(let name, _):
                switch values[name] {
                case .string(let string)?: output += string
                case let value?: output += value.compactString
                case nil: output += "{{\(name)}}"
                }
            }
        }
        return output
    }
}

extension String {
    var trimmingSpaces: String {
        let scalars = unicodeScalars.drop(while: { $0 == " " || $0 == "\t" })
        let trailing = scalars.reversed().prefix(while: { $0 == " " || $0 == "\t" }).count
        return String(String.UnicodeScalarView(scalars.dropLast(trailing)))
    }
}
