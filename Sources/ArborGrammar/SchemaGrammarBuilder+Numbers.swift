import ArborSchema

/// Integers and numbers: ranges go into the grammar where that is cheap (see
/// ``SchemaGrammarBuilder`` for exactly which), the rest become post-checks.
extension SchemaGrammarBuilder {
    mutating func integerExpression(_ node: SchemaNode) -> GrammarExpression {
        if node.multipleOf != nil { postChecks.append(PostCheck(pointer: node.location, keyword: "multipleOf")) }
        let hasLower = node.minimum != nil || node.exclusiveMinimum != nil
        let hasUpper = node.maximum != nil || node.exclusiveMaximum != nil
        guard hasLower || hasUpper else { return .rule(jsonIntegerRule) }
        let lower = integerLowerBound(node)
        let upper = integerUpperBound(node)
        // A bound beyond Int64 is left to validation; the grammar uses the digit limit there.
        if (hasLower && lower == nil) || (hasUpper && upper == nil) { postBounds(node) }
        if let lower, let upper, lower > upper {
            errors.append(.unsatisfiable(pointer: node.location, reason: "no integer lies between the bounds"))
            return .empty
        }
        // An open side stops at the digit limit, or at the other bound when that is beyond it.
        let limit = (1..<min(max(options.maximumIntegerDigits, 1), 18)).reduce(Int64(9)) { value, _ in value * 10 + 9 }
        let low = lower ?? (upper.map { $0 < -limit ? -Int64.max : -limit } ?? -limit)
        let high = upper ?? (lower.map { $0 > limit ? Int64.max : limit } ?? limit)
        return IntegerRangeGrammar.expression(low, high)
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
