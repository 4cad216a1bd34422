import ArborSchema

/// Integers and numbers: ranges go into the grammar where that is cheap (see
/// ``SchemaGrammarBuilder`` for exactly which), the rest become post-checks.
extension SchemaGrammarBuilder {
    /// The most values a bounded integer range may have to be listed one by one.
    static let maximumListedIntegers: Int64 = 64

    mutating func integerExpression(_ node: SchemaNode) -> GrammarExpression {
        if node.multipleOf != nil { postChecks.append(PostCheck(pointer: node.location, keyword: "multipleOf")) }
        let lower = integerLowerBound(node)
        let upper = integerUpperBound(node)
        let bounded = node.minimum != nil || node.maximum != nil || node.exclusiveMinimum != nil || node.exclusiveMaximum != nil
        if let lower, let upper {
            if lower > upper {
                errors.append(.unsatisfiable(pointer: node.location, reason: "no integer lies between the bounds"))
                return .empty
            }
            if upper.subtractingReportingOverflow(lower).partialValue < Self.maximumListedIntegers, lower <= upper {
                return .alternatives((lower...upper).map { .literal(String($0)) })
            }
        }
        if let lower, lower >= 0 {
            if lower > 1 || upper != nil { postBounds(node) }
            return lower == 1 ? .concatenation([Self.nonZeroDigit, .star(Self.digit)]) : Self.unsignedInteger
        }
        if let upper, upper <= -1 {
            if upper < -1 || lower != nil { postBounds(node) }
            return .concatenation([.literal("-"), Self.nonZeroDigit, .star(Self.digit)])
        }
        if bounded { postBounds(node) }
        return .rule(jsonIntegerRule)
    }

    mutating func numberExpression(_ node: SchemaNode) -> GrammarExpression {
        if node.multipleOf != nil { postChecks.append(PostCheck(pointer: node.location, keyword: "multipleOf")) }
        let onlyMinimumZero = node.minimum == .integer(0) || node.minimum == .double(0)
        let exact = onlyMinimumZero && node.maximum == nil && node.exclusiveMinimum == nil && node.exclusiveMaximum == nil
        let bounded = node.minimum != nil || node.maximum != nil || node.exclusiveMinimum != nil || node.exclusiveMaximum != nil
        if bounded && !exact { postBounds(node) }
        let nonNegative = [node.minimum, node.exclusiveMinimum].contains { bound in bound.map { $0 >= .integer(0) } ?? false }
        if nonNegative { return numberBody(signed: false) }
        return .rule(jsonNumberRule)
    }

    private mutating func postBounds(_ node: SchemaNode) {
        for (keyword, value) in [("minimum", node.minimum), ("maximum", node.maximum),
                                 ("exclusiveMinimum", node.exclusiveMinimum), ("exclusiveMaximum", node.exclusiveMaximum)] where value != nil {
            postChecks.append(PostCheck(pointer: node.location, keyword: keyword))
        }
    }

    /// The least integer the bounds allow, if they bound from below and fit in Int64.
    private func integerLowerBound(_ node: SchemaNode) -> Int64? {
        var result: Int64?
        if let minimum = node.minimum, let value = Self.ceiling(minimum) { result = value }
        if let exclusive = node.exclusiveMinimum, let value = Self.floor(exclusive), value < Int64.max {
            result = max(result ?? Int64.min, value + 1)
        }
        return result
    }

    private func integerUpperBound(_ node: SchemaNode) -> Int64? {
        var result: Int64?
        if let maximum = node.maximum, let value = Self.floor(maximum) { result = value }
        if let exclusive = node.exclusiveMaximum, let value = Self.ceiling(exclusive), value > Int64.min {
            result = min(result ?? Int64.max, value - 1)
        }
        return result
    }

    private static func ceiling(_ number: JSONNumber) -> Int64? {
        switch number {
        case .integer(let value): return value
        case .double(let value):
            let rounded = value.rounded(.up)
            return abs(rounded) < 9.2e18 ? Int64(rounded) : nil
        }
    }

    private static func floor(_ number: JSONNumber) -> Int64? {
        switch number {
        case .integer(let value): return value
        case .double(let value):
            let rounded = value.rounded(.down)
            return abs(rounded) < 9.2e18 ? Int64(rounded) : nil
        }
    }
}
