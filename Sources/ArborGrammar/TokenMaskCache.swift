import Foundation

/// The adaptive token-mask cache: per grammar position, the tokens whose fate does not
/// depend on the parse stack below it.
///
/// A position is a configuration's automaton node plus the return nodes of the frames
/// below it, up to ``maximumContextDepth`` of them (the *context*). Level 1 knows only the
/// node's own rule and where it returns to; every token starting with a byte the node can
/// read is simulated once with the rest of the stack unknown:
/// - *accepted*: read entirely without needing the unknown stack — accepted whatever the
///   stack is (stored as a bitmask over the vocabulary, or as ids when they take less room);
/// - *rejected*: failed without ever touching the unknown stack (not stored);
/// - *uncertain*: the simulation needed the unknown stack or the tool-call budget.
/// Each deeper level re-simulates only the previous level's uncertain tokens with one more
/// return node known, so the expensive level-1 sets (inside a string: almost every token)
/// are shared by every string in the grammar, while the few tokens that close a string
/// (`ing",`) are settled by the level that knows what follows the string. Only the last
/// level's uncertain tokens are checked against the real stack at each step.
///
/// Entries are filled when the grammar is compiled (see `CompiledGrammar+Precompute.swift`),
/// or computed on first use for the few positions the compiler leaves, and shared by every
/// matcher of the compiled grammar.
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
        /// Tokens accepted once this level's context is known (at level 1: whatever the
        /// stack below), as a bitmask in the layout of ``GrammarMatcher``'s masks when
        /// that is smaller than their ids, else empty.
        var acceptedMask: [UInt32]
        /// The same tokens as ids, when ``acceptedMask`` is empty.
        var acceptedIDs: [Int32]
        /// Positions in the sorted vocabulary of the tokens this level cannot settle, ascending.
        var uncertain: [Int]

        /// An entry as stored (read back from a ``GrammarDiskCache`` file).
        init(acceptedMask: [UInt32], acceptedIDs: [Int32], uncertain: [Int]) {
            self.acceptedMask = acceptedMask
            self.acceptedIDs = acceptedIDs
            self.uncertain = uncertain
        }

        /// An entry holding `accepted` in the smaller of the two forms.
        init(accepted: [Int32], uncertain: [Int], maskWordCount: Int) {
            if accepted.count > maskWordCount {
                var mask = [UInt32](repeating: 0, count: maskWordCount)
                for id in accepted { mask[Int(id) >> 5] |= 1 << (UInt32(id) & 31) }
                acceptedMask = mask
                acceptedIDs = []
            } else {
                acceptedMask = []
                acceptedIDs = accepted
            }
            self.uncertain = uncertain
        }

        /// An entry holding the tokens set in `acceptedMask` in the smaller of the two forms.
        init(acceptedMask mask: [UInt32], uncertain: [Int]) {
            let count = mask.reduce(0) { $0 + $1.nonzeroBitCount }
            if count > mask.count {
                acceptedMask = mask
                acceptedIDs = []
            } else {
                acceptedMask = []
                acceptedIDs = []
                acceptedIDs.reserveCapacity(count)
                for (index, word) in mask.enumerated() where word != 0 {
                    var bits = word
                    while bits != 0 {
                        acceptedIDs.append(Int32(index << 5 | bits.trailingZeroBitCount))
                        bits &= bits - 1
                    }
                }
            }
            self.uncertain = uncertain
        }

        /// Whether token `id` is among the accepted ones.
        func accepts(_ id: Int32) -> Bool {
            acceptedMask.isEmpty ? acceptedIDs.contains(id) : acceptedMask[Int(id) >> 5] & (1 << (UInt32(id) & 31)) != 0
        }

        /// Sets the accepted tokens' bits in `mask`.
        func addAccepted(to mask: UnsafeMutablePointer<UInt32>) {
            acceptedMask.withUnsafeBufferPointer { accepted in
                for word in accepted.indices { mask[word] |= accepted[word] }
            }
            for id in acceptedIDs { mask[Int(id) >> 5] |= 1 << (UInt32(id) & 31) }
        }
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

    /// Every entry, in a stable order (by node, then returns): what a ``GrammarDiskCache``
    /// file holds.
    var allEntries: [(key: Key, entry: Entry)] {
        lock.lock()
        defer { lock.unlock() }
        return entries.map { (key: $0.key, entry: $0.value) }.sorted { a, b in
            a.key.node != b.key.node ? a.key.node < b.key.node : a.key.returns.lexicographicallyPrecedes(b.key.returns)
        }
    }

    /// Adds entries read back from a file (an entry already present is kept).
    func insert(_ loaded: [(key: Key, entry: Entry)]) {
        lock.lock()
        defer { lock.unlock() }
        entries.reserveCapacity(entries.count + loaded.count)
        for (key, entry) in loaded where entries[key] == nil { entries[key] = entry }
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }

    /// The bytes the entries' keys and arrays hold, an array that entries share counted
    /// once (not the dictionary's own overhead).
    var byteCount: Int {
        lock.lock()
        defer { lock.unlock() }
        var seen = Set<UnsafeRawPointer>()
        func size<Element>(_ array: [Element]) -> Int {
            array.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress, seen.insert(UnsafeRawPointer(base)).inserted else { return 0 }
                return buffer.count * MemoryLayout<Element>.stride
            }
        }
        return entries.reduce(0) { total, element in
            total + size(element.value.acceptedMask) + size(element.value.acceptedIDs) + size(element.value.uncertain)
                + MemoryLayout<Key>.stride + element.key.returns.count * MemoryLayout<Int32>.stride
        }
    }
}
