import Foundation

/// The adaptive token-mask cache: per grammar position, the tokens whose fate does not
/// depend on the parse stack below it.
///
/// A position is a configuration's automaton node plus the return nodes of the frames
/// below it, up to ``maximumContextDepth`` of them (the *context*). Level 1 knows only the
/// node's own rule and where it returns to; every token starting with a byte the node can
/// read is simulated once with the rest of the stack unknown:
/// - *accepted*: read entirely without needing the unknown stack — accepted whatever the
///   stack is (stored as a bitmask over the vocabulary);
/// - *rejected*: failed without ever touching the unknown stack (not stored);
/// - *uncertain*: the simulation needed the unknown stack or the tool-call budget.
/// Each deeper level re-simulates only the previous level's uncertain tokens with one more
/// return node known, so the expensive level-1 sets (inside a string: almost every token)
/// are shared by every string in the grammar, while the few tokens that close a string
/// (`ing",`) are settled by the level that knows what follows the string. Only the last
/// level's uncertain tokens are checked against the real stack at each step.
///
/// Entries are computed on first use and shared by every matcher of the compiled grammar.
final class TokenMaskCache: @unchecked Sendable {
    // @unchecked: `entries` is only read or written while holding `lock`.

    /// How many return nodes a cache position may include.
    static let maximumContextDepth = 3

    /// A node and the return nodes below it: `returns[0]` is where the node's rule returns
    /// to; ``FrameTable/root`` marks the bottom of the whole parse (nothing follows it).
    struct Key: Hashable, Sendable {
        var node: Int32
        var returns: [Int32]
    }

    struct Entry: Sendable {
        /// Level 1: bitmask of always-accepted tokens (layout of ``GrammarMatcher``'s masks).
        var acceptedMask: [UInt32]
        /// Deeper levels: ids accepted once this level's context is known.
        var acceptedIDs: [Int32]
        /// Positions in the sorted vocabulary of the tokens this level cannot settle.
        var uncertain: [Int]
    }

    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]

    func entry(_ key: Key, compute: () -> Entry) -> Entry {
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
