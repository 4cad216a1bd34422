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

    /// A bounded number is an exact decimal range without exponent (``DecimalRangeGrammar``);
    /// an open side stops at the digit limits, as an unbounded number does.
    ///
    /// The grammar's range is never wider than what the validator accepts, which compares
    /// the parsed double (or `Int64`) exactly: each bound becomes the extreme double the
    /// validator accepts on its side (`exclusiveMaximum: 5` → the double below 5), written
    /// with digits that read back as that double. Any decimal inside then parses to a double
    /// inside, whatever the rounding. What is lost is a sliver one double wide at an
    /// exclusive bound (`4.9999999999999999` is refused below `exclusiveMaximum: 5`) and,
    /// beyond 2^53, the integers between a bound and its nearest double.
    mutating func numberExpression(_ node: SchemaNode) -> GrammarExpression {
        if node.multipleOf != nil { postChecks.append(PostCheck(pointer: node.location, keyword: "multipleOf")) }
        let lowest = Self.lowestAccepted(node), highest = Self.highestAccepted(node)
        guard lowest != nil || highest != nil else { return .rule(jsonNumberRule) }
        guard lowest.map({ $0.isFinite }) ?? true, highest.map({ $0.isFinite }) ?? true, (lowest ?? -.infinity) <= (highest ?? .infinity) else {
            errors.append(.unsatisfiable(pointer: node.location, reason: "no number lies between the bounds"))
            return .empty
        }
        let exactLower = lowest.map(Self.decimal), exactUpper = highest.map(Self.decimal)
        // Bounds with more fraction digits than numbers may have round inwards; a range that
        // holds no number with that few digits gets the digits its bounds need instead.
        var fractionDigits = max(1, options.maximumFractionDigits)
        var lower = exactLower?.rounded(toFractionDigits: fractionDigits, up: true)
        var upper = exactUpper?.rounded(toFractionDigits: fractionDigits, up: false)
        if let low = lower, let high = upper, high < low, let exactLower, let exactUpper {
            fractionDigits = max(exactLower.fraction.count, exactUpper.fraction.count)
            (lower, upper) = (exactLower, exactUpper)
        }
        let integerDigits = max(options.maximumIntegerDigits, lower?.integer.count ?? 0, upper?.integer.count ?? 0)
        return DecimalRangeGrammar.expression(
            lower ?? .widest(integerDigits: integerDigits, fractionDigits: fractionDigits, negative: true),
            upper ?? .widest(integerDigits: integerDigits, fractionDigits: fractionDigits, negative: false),
            fractionDigits: fractionDigits)
    }

    /// The least double that `minimum` and `exclusiveMinimum` accept (possibly infinite), if
    /// either is present.
    private static func lowestAccepted(_ node: SchemaNode) -> Double? {
        let candidates = [node.minimum.map { edge($0, strictly: false, upwards: true) },
                          node.exclusiveMinimum.map { edge($0, strictly: true, upwards: true) }].compactMap { $0 }
        return candidates.max()
    }

    /// The greatest double that `maximum` and `exclusiveMaximum` accept, if either is present.
    private static func highestAccepted(_ node: SchemaNode) -> Double? {
        let candidates = [node.maximum.map { edge($0, strictly: false, upwards: false) },
                          node.exclusiveMaximum.map { edge($0, strictly: true, upwards: false) }].compactMap { $0 }
        return candidates.min()
    }

    /// The double nearest `bound` on the accepted side (above it when `upwards`), equal to
    /// it unless `strictly`, compared exactly as the validator compares.
    private static func edge(_ bound: JSONNumber, strictly: Bool, upwards: Bool) -> Double {
        var candidate = bound.doubleValue
        if strictly && JSONNumber.double(candidate) == bound {
            return upwards ? candidate.nextUp : candidate.nextDown
        }
        // An Int64 bound may round to a double on the wrong side of it.
        if upwards && JSONNumber.double(candidate) < bound { candidate = candidate.nextUp }
        if !upwards && bound < JSONNumber.double(candidate) { candidate = candidate.nextDown }
        return candidate
    }

    /// Digits that read back as `edge` and that an `Int64` compares with as with `edge`
    /// itself: the shortest digits, except for integral doubles from 2^53 to 2^63, whose
    /// shortest digits may differ from their value in the last places.
    private static func decimal(_ edge: Double) -> DecimalDigits {
        edge.magnitude >= 0x1p53 && edge.magnitude < 0x1p63 ? DecimalDigits(Int64(edge)) : DecimalDigits(edge)
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
