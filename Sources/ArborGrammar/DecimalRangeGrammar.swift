/// Exact grammars for the JSON numbers in a closed decimal range, written without an
/// exponent: `-?(0|[1-9][0-9]*)(\.[0-9]{1,F})?` with a value in `lower...upper`.
///
/// The set of such numbers is a regular language, built here directly by comparing digits
/// against both bounds' decimal expansions: the integer part is an integer range
/// (``IntegerRangeGrammar``), and for the integer part equal to a bound's, the fraction is
/// compared digit by digit while it stays equal to that bound's fraction ("tight"): a digit
/// above the lower bound's (or below the upper bound's) frees the rest, an equal digit keeps
/// the comparison going. Its size grows with the bounds' digit counts, not with the range.
///
/// A minus sign is only written before a non-zero value, and fractions may end in zeros
/// (`2.50` is read as 2.5).
///
/// ```swift
/// DecimalRangeGrammar.expression(DecimalDigits(0.5), DecimalDigits(2.25), fractionDigits: 17)
/// // "0" "." [5-9] [0-9]{0,16} | "1" ("." [0-9]{1,17})? | "2" ("." ("0" … | "1" … | "2" …))?
/// ```
enum DecimalRangeGrammar {
    /// The numbers in `lower...upper` with at most `fractionDigits` (≥ 1) digits after the
    /// point. Both bounds must have at most `fractionDigits` fraction digits and
    /// `lower <= upper`.
    static func expression(_ lower: DecimalDigits, _ upper: DecimalDigits, fractionDigits: Int) -> GrammarExpression {
        precondition(lower <= upper, "an empty number range has no grammar")
        precondition(lower.fraction.count <= fractionDigits && upper.fraction.count <= fractionDigits,
                     "the bounds must fit in the fraction digits")
        if !lower.negative { return unsigned(lower, upper, fractionDigits) }
        if upper.negative {
            return .concatenation([.literal("-"), unsigned(upper.magnitude, lower.magnitude, fractionDigits)])
        }
        // Across zero: "-" before the smallest written non-zero magnitude (0.0…01) and up.
        let smallest = DecimalDigits(negative: false, integer: [],
                                     fraction: Array(repeating: DecimalDigits.zeroDigit, count: fractionDigits - 1) + [UInt8(ascii: "1")])
        return .alternatives([
            .concatenation([.literal("-"), unsigned(smallest, lower.magnitude, fractionDigits)]),
            unsigned(DecimalDigits(Int64(0)), upper, fractionDigits),
        ])
    }

    /// The unsigned numbers in `lower...upper`, both non-negative.
    private static func unsigned(_ lower: DecimalDigits, _ upper: DecimalDigits, _ digits: Int) -> GrammarExpression {
        let fraction = FractionRange(lower: lower.fraction, upper: upper.fraction, digits: digits)
        if lower.integer == upper.integer {
            return .concatenation([.bytes(lower.integer), fraction.expression(at: 0, lowerTight: true, upperTight: true)])
        }
        // Whole integer parts whose every fraction is in range lie between the bounds'
        // integer parts; those equal to a bound's take the fractions on its side.
        var options: [GrammarExpression] = []
        var wholeLow = lower.integer, wholeHigh = upper.integer
        if !lower.fraction.isEmpty {
            options.append(.concatenation([.bytes(lower.integer), fraction.expression(at: 0, lowerTight: true, upperTight: false)]))
            wholeLow = DecimalDigits.incremented(lower.integer)
        }
        var upperOption: GrammarExpression?
        if !fraction.upperIsWidest {
            upperOption = .concatenation([.bytes(upper.integer), fraction.expression(at: 0, lowerTight: false, upperTight: true)])
            wholeHigh = upper.integer == [DecimalDigits.zeroDigit] ? [] : DecimalDigits.decremented(upper.integer)
        }
        if !wholeHigh.isEmpty, !DecimalDigits.integerPrecedes(wholeHigh, wholeLow) {
            options.append(.concatenation([IntegerRangeGrammar.unsigned(wholeLow, wholeHigh),
                                           fraction.expression(at: 0, lowerTight: false, upperTight: false)]))
        }
        if let upperOption { options.append(upperOption) }
        return .alternatives(options)
    }

    /// The fraction part `(\.[0-9]{1,digits})?` compared against the bounds' fraction digits.
    private struct FractionRange {
        let lower: [UInt8]
        let upper: [UInt8]
        let digits: Int

        init(lower: [UInt8], upper: [UInt8], digits: Int) {
            self.lower = lower
            self.upper = upper
            self.digits = digits
        }

        /// Whether the upper fraction is 9…9 to the full length: nothing is above it.
        var upperIsWidest: Bool {
            upper.count == digits && upper.allSatisfy { $0 == DecimalDigits.nineDigit }
        }

        /// The fractions from digit `position` on, given that the digits so far equal the
        /// lower bound's (`lowerTight`) and/or the upper bound's (`upperTight`). Position 0
        /// is before the point: stopping there means writing no fraction at all.
        func expression(at position: Int, lowerTight: Bool, upperTight: Bool) -> GrammarExpression {
            // Past the lower bound's last digit any continuation is at least as large; an upper
            // bound of all nines to the end is never exceeded.
            let lowerTight = lowerTight && position < lower.count
            let upperTight = upperTight && !(upper.count == digits && upper[position...].allSatisfy { $0 == DecimalDigits.nineDigit })
            if !lowerTight && !upperTight { return tail(at: position, digit: IntegerRangeGrammar.digit) }
            // Past the upper bound's last digit only zeros keep the value at or below it.
            if upperTight && position >= upper.count { return tail(at: position, digit: .bytes([DecimalDigits.zeroDigit])) }
            let low = lowerTight ? lower[position] : DecimalDigits.zeroDigit
            let high = upperTight ? upper[position] : DecimalDigits.nineDigit
            var next: [GrammarExpression] = []
            if lowerTight {
                next.append(.concatenation([.bytes([low]), expression(at: position + 1, lowerTight: true, upperTight: upperTight && low == high)]))
            }
            let freeLow = lowerTight ? low + 1 : low, freeHigh = upperTight ? high - 1 : high
            if freeLow <= freeHigh {
                next.append(.concatenation([.byteRanges([freeLow...freeHigh]), anyDigits(upTo: digits - position - 1)]))
            }
            if upperTight && !(lowerTight && low == high) {
                next.append(.concatenation([.bytes([high]), expression(at: position + 1, lowerTight: false, upperTight: true)]))
            }
            let digit = GrammarExpression.alternatives(next)
            // Stopping here leaves the value at the digits so far: below the lower bound while
            // tight to it (its remaining digits are not all zero), never above the upper one.
            let continued: GrammarExpression = position == 0 ? .concatenation([.literal("."), digit]) : digit
            return lowerTight ? continued : .optional(continued)
        }

        /// Up to `digits - position` more of `digit`, with the point first at position 0.
        private func tail(at position: Int, digit: GrammarExpression) -> GrammarExpression {
            if position == 0 {
                return .optional(.concatenation([.literal("."), .repetition(digit, min: 1, max: digits)]))
            }
            return .repetition(digit, min: 0, max: digits - position)
        }

        private func anyDigits(upTo count: Int) -> GrammarExpression {
            count > 0 ? .repetition(IntegerRangeGrammar.digit, min: 0, max: count) : .empty
        }
    }
}
