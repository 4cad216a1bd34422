/// Where a round past its budget must stop: a round ends only at a top-level task boundary
/// (``TreeTracker/isAtTopLevelBoundary``), and one token can run past it — the tokenizer
/// writes `},` and `"},` as single tokens — so such a token, or forced text, is cut there.
extension TreeTracker {
    /// How many of `bytes`, appended to the document, bring it to a top-level task boundary
    /// before their last byte; nil when none does.
    ///
    /// ```swift
    /// // the document ends inside a top-level task's conclusion:
    /// tracker.bytesToTopLevelBoundary(in: Array(#""},"#.utf8))   // 2: the boundary follows `"}`
    /// ```
    func bytesToTopLevelBoundary(in bytes: [UInt8]) -> Int? {
        guard bytes.dropLast().contains(UInt8(ascii: "}")) else { return nil }
        var probe = self
        for (index, byte) in bytes.dropLast().enumerated() {
            _ = probe.consume([byte])
            if probe.isAtTopLevelBoundary { return index + 1 }
        }
        return nil
    }
}
