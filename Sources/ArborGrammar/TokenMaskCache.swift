import Foundation

/// The adaptive token-mask cache: per grammar position, the tokens whose fate does not
/// depend on the parse stack below it.
///
/// A position is a configuration's automaton node plus the node its rule returns to (one
/// level of context, so that a rule like `json-char` is judged together with the string
/// around it). For each position, every token starting with a byte the node can read is
/// simulated once with the rest of the stack unknown:
/// - *accepted*: the token is read entirely without needing the unknown stack — accepted
///   whatever the stack is (a bitmask over the vocabulary);
/// - *rejected*: it fails without ever touching the unknown stack (not stored);
/// - *uncertain*: the simulation needed the unknown stack (or the budget) — stored as a
///   list and re-checked against the real stack at each step.
/// Most tokens fall in the first two groups, so a mask is mostly cached words ORed together.
///
/// Entries are computed on first use and shared by every matcher of the compiled grammar.
final class TokenMaskCache: @unchecked Sendable {
    // @unchecked: `entries` is only read or written while holding `lock`.
    struct Entry: Sendable {
        /// Bitmask of always-accepted tokens (layout of ``GrammarMatcher``'s masks).
        var accepted: [UInt32]
        /// Positions in the sorted vocabulary of the tokens to re-check.
        var uncertain: [Int]
    }

    private let lock = NSLock()
    private var entries: [Int64: Entry] = [:]

    func entry(node: Int32, returnNode: Int32, compute: () -> Entry) -> Entry {
        let key = Int64(node) << 32 | Int64(UInt32(bitPattern: returnNode))
        lock.lock()
        if let existing = entries[key] {
            lock.unlock()
            return existing
        }
        lock.unlock()
        let computed = compute()
        lock.lock()
        entries[key] = computed
        lock.unlock()
        return computed
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }
}
